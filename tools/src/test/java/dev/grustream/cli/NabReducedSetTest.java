package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.config.GruStreamConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAB evaluation on a reduced set, as CI runs it: {@code gru-stream nab-eval} with the bundled model and default
 * settings on the two NAB series in {@code nab-sample/}, judged against their NAB labels
 * ({@code nab-sample/labels/combined_windows.json}, copied from NAB) the way NAB's rules read them: a window is
 * detected when one of its rows scores at or above the threshold, rows of the first 15% of a file (the probation)
 * do not count, and flagged rows outside the windows are false positives. The full run is {@code src/eval/nab.sh}.
 */
class NabReducedSetTest {
    private static final DateTimeFormatter WINDOW_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter ROW_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** NAB's probation: the first 15% of a file's rows, at most 750. */
    private static final double PROBATION = 0.15;

    @TempDir
    static Path dir;
    static Path results;
    static Map<String, List<List<String>>> windows;
    static double threshold;

    /** One result row: its time, score and whether it lies in a labelled window. */
    record Row(LocalDateTime time, double score, boolean inWindow) {
    }

    @BeforeAll
    static void evaluateTheSample() throws URISyntaxException, IOException {
        Path data = Path.of(NabReducedSetTest.class.getResource("/nab-sample").toURI());
        results = dir.resolve("results");
        assertThat(NabEvalCommandTest.nabEval(data, results).exitCode()).isZero();
        windows = new ObjectMapper().readValue(data.resolve("labels/combined_windows.json").toFile(),
                new TypeReference<Map<String, List<List<String>>>>() { });
        threshold = new GruStreamConfig(Map.of()).getDouble(GruStreamConfig.ANOMALY_THRESHOLD);
    }

    private static List<Row> scorableRows(String series) throws IOException {
        List<String> lines = Files.readAllLines(results.resolve(series));
        List<String> rows = lines.subList(1, lines.size());
        int probation = (int) Math.min(Math.floor(PROBATION * rows.size()), 750);
        return rows.subList(probation, rows.size()).stream().map(line -> {
            String[] cells = line.split(",", -1);
            LocalDateTime time = LocalDateTime.parse(cells[0], ROW_TIME);
            boolean inWindow = windows.get(series).stream().anyMatch(window -> !time.isBefore(start(window))
                    && !time.isAfter(end(window)));
            return new Row(time, Double.parseDouble(cells[2]), inWindow);
        }).toList();
    }

    private static LocalDateTime start(List<String> window) {
        return LocalDateTime.parse(window.get(0), WINDOW_TIME);
    }

    private static LocalDateTime end(List<String> window) {
        return LocalDateTime.parse(window.get(1), WINDOW_TIME);
    }

    @Test
    void everyLabelledWindowHasARowAtOrAboveTheDefaultThreshold() throws IOException {
        for (String series : windows.keySet()) {
            List<Row> rows = scorableRows(series);
            for (List<String> window : windows.get(series)) {
                assertThat(rows).as("%s, window %s", series, window).anySatisfy(row -> {
                    assertThat(row.time()).isBetween(start(window), end(window));
                    assertThat(row.score()).isGreaterThanOrEqualTo(threshold);
                });
            }
        }
    }

    @Test
    void fewerThanOneRowInTwoHundredOutsideTheWindowsIsFlagged() throws IOException {
        long outside = 0;
        long flagged = 0;
        for (String series : windows.keySet()) {
            for (Row row : scorableRows(series)) {
                if (!row.inWindow()) {
                    outside++;
                    flagged += row.score() >= threshold ? 1 : 0;
                }
            }
        }

        assertThat(flagged * 200).as("%d of %d rows outside the windows flagged", flagged, outside)
                .isLessThan(outside);
    }
}
