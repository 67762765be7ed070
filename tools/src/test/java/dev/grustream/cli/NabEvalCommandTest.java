package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gru-stream nab-eval} with the bundled model on two NAB series copied into the test resources
 * ({@code nab-sample/}, see its README): the result layout NAB scorers read, scores in [0,1], causality, and the
 * MASE table.
 */
class NabEvalCommandTest {
    private static final List<String> SERIES = List.of("realAdExchange/exchange-3_cpc_results.csv",
            "realTraffic/speed_7578.csv");
    private static final String HEADER = "timestamp,value,anomaly_score,expected,forecast,alert";

    @TempDir
    static Path dir;
    static Path data;
    static Path results;
    static Result run;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void evaluateTheSample() throws URISyntaxException {
        data = Path.of(NabEvalCommandTest.class.getResource("/nab-sample").toURI());
        results = dir.resolve("results");
        run = nabEval(data, results);
    }

    static Result nabEval(Path dataDir, Path outputDir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        int code = command.execute("nab-eval", "--data", dataDir.toString(), "--output", outputDir.toString());
        return new Result(code, out.toString(), err.toString());
    }

    private static List<String[]> rows(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
            rows.add(line.split(",", -1));
        }
        return rows;
    }

    @Test
    void succeeds() {
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void writesOneResultFilePerSeriesUnderItsCategory() {
        for (String series : SERIES) {
            assertThat(results.resolve(series)).isRegularFile();
        }
    }

    @Test
    void resultFilesGetTheSamePermissionsAsAnyNewFileThere() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path probe = Files.createFile(dir.resolve("probe"));

        for (String series : SERIES) {
            assertThat(Files.getPosixFilePermissions(results.resolve(series))).as(series)
                    .isEqualTo(Files.getPosixFilePermissions(probe));
        }
    }

    @Test
    void resultFilesHaveTheNabColumns() throws IOException {
        for (String series : SERIES) {
            assertThat(Files.readAllLines(results.resolve(series)).get(0)).isEqualTo(HEADER);
        }
    }

    @Test
    void everyInputRowHasItsResultRowWithItsTimestampAsWritten() throws IOException {
        for (String series : SERIES) {
            List<String> input = Files.readAllLines(data.resolve(series));
            List<String[]> output = rows(results.resolve(series));

            assertThat(output).hasSize(input.size() - 1);
            for (int i = 0; i < output.size(); i++) {
                assertThat(output.get(i)[0]).isEqualTo(input.get(i + 1).split(",")[0]);
            }
        }
    }

    @Test
    void scoresAreInTheUnitInterval() throws IOException {
        for (String series : SERIES) {
            assertThat(rows(results.resolve(series))).allSatisfy(row ->
                    assertThat(Double.parseDouble(row[2])).isBetween(0.0, 1.0));
        }
    }

    @Test
    void aRowsScoreDoesNotDependOnLaterRows() throws IOException {
        String series = SERIES.get(1);
        Path truncated = dir.resolve("truncated");
        List<String> input = Files.readAllLines(data.resolve(series));
        Files.createDirectories(truncated.resolve(series).getParent());
        Files.write(truncated.resolve(series), input.subList(0, 601));

        Result shortRun = nabEval(truncated, dir.resolve("truncated-results"));

        assertThat(shortRun.exitCode()).as(shortRun.err()).isZero();
        List<String[]> full = rows(results.resolve(series));
        List<String[]> prefix = rows(dir.resolve("truncated-results").resolve(series));
        assertThat(prefix).hasSize(600);
        for (int i = 0; i < prefix.size(); i++) {
            assertThat(prefix.get(i)).as("row %d", i + 1).containsExactly(full.get(i));
        }
    }

    @Test
    void aRowBefore1970IsCountedAsADeadLetterAndTheRunGoesOn() throws IOException {
        Path old = dir.resolve("old");
        Path file = Files.createDirectories(old.resolve("category")).resolve("series.csv");
        Files.write(file, List.of("timestamp,value", "2024-01-01 00:00:00,1", "1969-12-31 23:55:00,2",
                "2024-01-01 00:10:00,3"));

        Result run = nabEval(old, dir.resolve("old-results"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("category/series.csv +3 +\\d+ +1 ");
    }

    @Test
    void printsEachSeriesMaseAsTheResultFileGivesIt() throws IOException {
        for (String series : SERIES) {
            // Columns: series, rows, alerts, dead letters, then the one-step MASE.
            Matcher line = Pattern.compile(Pattern.quote(series) + " +\\d+ +\\d+ +\\d+ +(\\d+\\.\\d{4}) ",
                    Pattern.MULTILINE).matcher(run.out());
            assertThat(line.find()).as(run.out()).isTrue();

            assertThat(Double.parseDouble(line.group(1))).isCloseTo(maseOf(results.resolve(series)), within(5e-5));
        }
    }

    @Test
    void labelsWithoutAnEntryForASeriesAreRefusedBeforeAnyReplay() throws IOException {
        Path labels = dir.resolve("labels.json");
        Files.writeString(labels, "{\"" + SERIES.get(0) + "\": []}");
        StringWriter err = new StringWriter();
        CommandLine command = GruStreamTools.commandLine();
        command.setOut(new PrintWriter(new StringWriter()));
        command.setErr(new PrintWriter(err));

        int code = command.execute("nab-eval", "--data", data.toString(), "--output",
                dir.resolve("unlabelled").toString(), "--labels", labels.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("has no entry for [" + SERIES.get(1) + "]");
        assertThat(dir.resolve("unlabelled")).doesNotExist();
    }

    @Test
    void printsTheMedianMase() {
        assertThat(run.out()).containsPattern("median MASE \\d+\\.\\d{4} over 2 series");
    }

    @Test
    void refusesADirectoryWithoutNabSeries() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        Result refused = nabEval(empty, dir.resolve("nothing"));

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("holds no <category>/<file>.csv series");
    }

    /** One-step MASE against persistence recomputed from a result file's value and expected columns. */
    private static double maseOf(Path file) throws IOException {
        double model = 0;
        double naive = 0;
        double previous = Double.NaN;
        for (String[] row : rows(file)) {
            double value = Double.parseDouble(row[1]);
            if (!row[3].isEmpty() && !Double.isNaN(previous)) {
                model += Math.abs(value - Double.parseDouble(row[3]));
                naive += Math.abs(value - previous);
            }
            previous = value;
        }
        return model / naive;
    }
}
