package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.model.GruModel;
import dev.grustream.model.ModelLoader;
import dev.grustream.model.ModelSpec;
import dev.grustream.train.SyntheticData;
import dev.grustream.train.TrainingSeries;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gru-stream train} end to end on small CSV files. */
class TrainCommandTest {

    @TempDir
    Path temp;

    private Path data;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void writeSeries() throws IOException {
        data = temp.resolve("data");
        List<TrainingSeries> sines = SyntheticData.sines(2, 200, 1);
        for (TrainingSeries series : sines) {
            writeCsv(data.resolve("nested").resolve(series.key() + ".csv"), "value", series);
        }
    }

    @Test
    void trainsOnADirectoryAndWritesAZipTheLoaderReads() throws IOException {
        Path zip = temp.resolve("model.zip");

        int exit = train("--input", data.toString(), "--features", "value", "--output", zip.toString(),
                "--name", "sines", "--model-version", "7", "--layers", "2");

        assertThat(exit).isZero();
        GruModel model = ModelLoader.load(zip);
        assertThat(model.spec().name()).isEqualTo("sines");
        assertThat(model.spec().version()).isEqualTo("7");
        assertThat(model.spec().numLayers()).isEqualTo(2);
        assertThat(model.spec().normalization().isPerKey()).isTrue();
    }

    @Test
    void printsASummaryWithTheValidationMase() {
        train("--input", data.toString(), "--features", "value", "--output", temp.resolve("m").toString());

        assertThat(out.toString())
                .contains("keys        2 trained on, 0 too short; 320 training rows, 80 validation rows")
                .contains("epochs      2 run")
                .containsPattern("validation  loss [0-9.]+ \\(persistence [0-9.]+\\), MASE [0-9.]+")
                .contains("rows/s trained")
                .contains("sine-0");
    }

    @Test
    void trainsTwoTargetsInAnotherOrderThanTheFeaturesAndNamesTheTargetItsMaseIsOf() throws IOException {
        Path twoColumns = temp.resolve("two-columns");
        for (TrainingSeries series : SyntheticData.sines(2, 200, 1)) {
            StringBuilder csv = new StringBuilder("timestamp,load,value\n");
            for (int i = 0; i < series.rows(); i++) {
                csv.append(1_700_000_000_000L + i * 60_000L).append(',').append(2 * series.value(i, 0) + 1)
                        .append(',').append(series.value(i, 0)).append('\n');
            }
            Files.createDirectories(twoColumns);
            Files.writeString(twoColumns.resolve(series.key() + ".csv"), csv);
        }
        Path zip = temp.resolve("two.zip");

        int exit = train("--input", twoColumns.toString(), "--features", "load,value", "--targets", "value,load",
                "--output", zip.toString());

        assertThat(exit).isZero();
        ModelSpec spec = ModelLoader.load(zip).spec();
        assertThat(spec.features()).containsExactly("load", "value");
        assertThat(spec.targets()).containsExactly("value", "load");
        assertThat(spec.targetFeatureIndex(0)).isEqualTo(1);
        assertThat(out.toString()).contains("MASE (value, the first target) ")
                .contains("validation MASE (value, the first target) per key");
    }

    @Test
    void writesAModelDirectoryWithFixedNormalisationOnRequest() throws IOException {
        Path directory = temp.resolve("model-dir");

        train("--input", data.toString(), "--features", "value", "--output", directory.toString(),
                "--normalization", "fixed", "--variant", "reset_before");

        GruModel model = ModelLoader.load(directory);
        assertThat(model.spec().normalization().isPerKey()).isFalse();
        assertThat(model.spec().gateVariant().jsonName()).isEqualTo("reset_before");
    }

    @Test
    void refusesAPerKeyOptionWithFixedNormalisation() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("fixed").toString(), "--normalization", "fixed", "--halflife", "50");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--halflife sets the per-key normalisation");
    }

    @Test
    void withoutValidationSaysSoInsteadOfPrintingNumbersOfNothing() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("unvalidated").toString(), "--validation", "0");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("validation  none (--validation 0)").doesNotContain("NaN");
        assertThat(err.toString()).contains("epoch    1  train").doesNotContain("NaN");
    }

    @Test
    void countsTheRowsItSkips() throws IOException {
        trainWithRowsToSkip();

        assertThat(out.toString()).contains("skipped 3 missing, non-numeric or out of range, 2 bad time,"
                + " 1 with extra cells, 0 duplicate time");
    }

    @Test
    void showsTheFirstRowItSkippedAndWhy() throws IOException {
        trainWithRowsToSkip();

        assertThat(out.toString())
                .contains("gaps.csv row 3: a value of [value] is missing, not a number or beyond +-1.0E150");
    }

    private void trainWithRowsToSkip() throws IOException {
        Files.writeString(data.resolve("gaps.csv"), "timestamp,value\n1000,1\n2000,\n3000,3\nlater,4\n5000,5\n"
                + "6000,6,5\n7000,7\n-1,8\n8000,1e400\n9000,-1e151\n");
        train("--input", data.toString(), "--features", "value", "--output", temp.resolve("m").toString());
    }

    /** Trains on one file, d.csv, of {@code rows} under the header {@code timestamp,value}; returns the exit code. */
    private int trainOnDates(String rows) throws IOException {
        Path file = temp.resolve("dates").resolve("d.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "timestamp,value\n" + rows);
        return train("--input", file.toString(), "--features", "value", "--output", temp.resolve("m").toString());
    }

    @Test
    void aFileWithNoUsableRowSaysWhatTheFirstLooksLike() throws IOException {
        int exit = trainOnDates("01/06/2015,1\n02/06/2015,2\n");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("d.csv row 2: the time '01/06/2015' is not a timestamp");
    }

    @Test
    void aFileOfDatesWithoutSeparatorsSaysTheyAreAmbiguous() throws IOException {
        int exit = trainOnDates("20150601,1\n20150602,2\n");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("d.csv row 2: the time '20150601' is ambiguous");
    }

    @Test
    void readsAFeatureFromAMappedColumn() throws IOException {
        Path mapped = temp.resolve("mapped");
        writeCsv(mapped.resolve("cpu.csv"), "cpu_pct", SyntheticData.sines(1, 200, 2).get(0));
        Path zip = temp.resolve("model.zip");

        int exit = train("--input", mapped.toString(), "--features", "value=cpu_pct", "--output", zip.toString());

        assertThat(exit).isZero();
        assertThat(ModelLoader.load(zip).spec().features()).containsExactly("value");
    }

    @Test
    void reportsAnUnknownNormalisationAsAUserError() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("m").toString(), "--normalization", "adaptive");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--normalization: expected per-key or fixed, found 'adaptive'");
    }

    @Test
    void aHorizonTheServiceCannotLearnIsAUserErrorBeforeTraining() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("m").toString(), "--horizon", "96");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("horizon: expected at most 64").doesNotContain("Epoch");
    }

    @Test
    void anInputMappingTheServiceWouldRefuseIsRefusedBeforeTheTopicIsRead() {
        int exit = train("--from-topic", "observations", "--features", "value", "--output",
                temp.resolve("m").toString(), "--set", "bootstrap.servers=localhost:1", "--set", "input.format=json",
                "--set", "input.features=valeu=fields.usage");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("input.features: maps [valeu], which the model does not have");
    }

    @Test
    void refusesToWriteTheInitialWeightsWhenNoEpochImprovedOnThem() {
        Path model = temp.resolve("m");

        int exit = train("--input", data.toString(), "--features", "value", "--output", model.toString(),
                "--learning-rate", "1e-30");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no epoch improved on the validation loss of the initial weights");
        assertThat(model).doesNotExist();
    }

    @Test
    void refusesToWriteAModelWhenNoValidationRowCanBeScored() throws IOException {
        Path file = temp.resolve("sparse-end").resolve("s.csv");
        Files.createDirectories(file.getParent());
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 300; i++) {
            // Minutes apart for the 240 training rows, a week apart for the 60 validation rows.
            long time = 1_700_000_000_000L + Math.min(i, 240) * 60_000L + Math.max(0, i - 239) * 7 * 86_400_000L;
            csv.append(time).append(',').append(Math.sin(i / 5.0)).append('\n');
        }
        Files.writeString(file, csv);
        Path model = temp.resolve("sparse-end-model");

        int exit = train("--input", file.toString(), "--features", "value", "--output", model.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("none of the", "state.reset.gap.ms", "--validation 0");
        assertThat(model).doesNotExist();
    }

    @Test
    void refusesAHistoryWhoseEveryRowRestartsItsKey() throws IOException {
        Path model = temp.resolve("weekly-model");

        int exit = train("--input", writeWeeklyRows().toString(), "--features", "value", "--output",
                model.toString(), "--validation", "0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no training row has a next row before its key restarts");
        assertThat(model).doesNotExist();
    }

    @Test
    void replaysWithTheServicesSettingsGivenBySet() throws IOException {
        Path weekly = writeWeeklyRows();

        int exit = train("--input", weekly.toString(), "--features", "value", "--output",
                temp.resolve("weekly-model").toString(), "--set", "state.reset.gap.ms=0");

        assertThat(exit).as(err.toString()).isZero();
    }

    /** 300 rows a week apart: each further from the last than the service's default reset gap of a day. */
    private Path writeWeeklyRows() throws IOException {
        Path file = temp.resolve("weekly").resolve("w.csv");
        Files.createDirectories(file.getParent());
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 300; i++) {
            csv.append(1_700_000_000_000L + i * 7 * 86_400_000L).append(',').append(Math.sin(i / 5.0)).append('\n');
        }
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void anOutputDirectoryThatHoldsFilesIsRefusedBeforeTraining() throws IOException {
        Path taken = temp.resolve("taken");
        Files.createDirectories(taken);
        Files.writeString(taken.resolve("notes.txt"), "mine");

        int exit = train("--input", data.toString(), "--features", "value", "--output", taken.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("already holds files").doesNotContain("Read ");
    }

    @Test
    void withoutAVersionTheModelIsVersionedByItsContent() throws IOException {
        Path first = temp.resolve("first.zip");
        Path again = temp.resolve("again.zip");
        Path other = temp.resolve("other.zip");

        train("--input", data.toString(), "--features", "value", "--output", first.toString());
        train("--input", data.toString(), "--features", "value", "--output", again.toString());
        train("--input", data.toString(), "--features", "value", "--output", other.toString(), "--seed", "99");

        String version = ModelLoader.load(first).spec().version();
        assertThat(version).matches("[0-9a-f]{12}");
        assertThat(ModelLoader.load(again).spec().version()).as("the same training, the same model").isEqualTo(version);
        assertThat(ModelLoader.load(other).spec().version()).as("other weights").isNotEqualTo(version);
        assertThat(out.toString()).contains("version " + version);
    }

    @Test
    void aModelTooLargeToServeIsRefusedBeforeTraining() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("m").toString(), "--hidden", "4096", "--layers", "2");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("the model would be too large to serve").doesNotContain("Read ");
    }

    @Test
    void aWindowBeyondTheLimitIsRefused() {
        int exit = train("--input", data.toString(), "--features", "value", "--output",
                temp.resolve("m").toString(), "--window", String.valueOf(Integer.MAX_VALUE));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("window: expected an integer <= 1000000");
    }

    @Test
    void aWindowLongerThanEverySeriesTrains() throws IOException {
        Path model = temp.resolve("long-window");

        int exit = train("--input", data.toString(), "--features", "value", "--output", model.toString(),
                "--window", "1000000");

        assertThat(exit).isZero();
        assertThat(ModelLoader.load(model).spec().features()).containsExactly("value");
    }

    @Test
    void aMappedColumnIsRefusedWithATopicWhoseFeaturesTheServiceReadsByName() {
        int exit = train("--from-topic", "observations", "--features", "value=cpu", "--output",
                temp.resolve("m").toString(), "--set", "bootstrap.servers=localhost:1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("with --from-topic, give the features' names only");
    }

    @Test
    void sinceIsRefusedWithoutATopic() {
        int exit = train("--input", data.toString(), "--features", "value", "--output", temp.resolve("m").toString(),
                "--since", "30d");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--since applies only with --from-topic");
    }

    @Test
    void aSinceOfZeroIsRefused() {
        int exit = train("--from-topic", "observations", "--features", "value", "--output",
                temp.resolve("m").toString(), "--since", "0", "--set", "bootstrap.servers=localhost:1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--since must be a duration above 0");
    }

    @Test
    void csvFilesAreFoundWhateverTheCaseOfTheirExtension() throws IOException {
        Path upper = temp.resolve("upper");
        for (TrainingSeries series : SyntheticData.sines(2, 200, 1)) {
            writeCsv(upper.resolve(series.key() + ".CSV"), "value", series);
        }

        int exit = train("--input", upper.toString(), "--features", "value", "--output", temp.resolve("m").toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("keys        2 trained on");
    }

    @Test
    void anOutputUnderAFileIsRefusedBeforeTraining() throws IOException {
        Path file = Files.writeString(temp.resolve("a-file"), "not a directory");

        int exit = train("--input", data.toString(), "--features", "value", "--output",
                file.resolve("model.zip").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("cannot be written").doesNotContain("Read ");
    }

    @Test
    void saysWhenFilesOfOneNameMakeOneSeries() throws IOException {
        Path more = temp.resolve("more");
        writeCsv(more.resolve("sine-0.csv"), "value", SyntheticData.sines(1, 200, 2).get(0));

        train("--input", data.toString(), "--input", more.toString(), "--features", "value", "--output",
                temp.resolve("m").toString());

        assertThat(err.toString()).contains("Note: key sine-0 is named by 2 files");
    }

    @Test
    void saysWhenTimesWithoutAnOffsetMeetACalendarOfAnotherZone() throws IOException {
        Path local = localTimes();

        train("--input", local.toString(), "--features", "value", "--output", temp.resolve("paris").toString(),
                "--calendar", "time-of-day", "--time-zone", "Europe/Paris");

        assertThat(err.toString()).contains("1 file(s) write times without an offset", "follow Europe/Paris's clock");
    }

    @Test
    void saysWhenTimesWithoutAnOffsetMeetACalendarOfUtc() throws IOException {
        Path local = localTimes();

        train("--input", local.toString(), "--features", "value", "--output", temp.resolve("utc").toString(),
                "--calendar", "time-of-day");

        assertThat(err.toString()).contains("1 file(s) write times without an offset",
                "which are read as UTC: if they are local wall-clock times");
    }

    @Test
    void saysNothingOfTimesWithoutAnOffsetWithoutACalendar() throws IOException {
        Path local = localTimes();

        int exit = train("--input", local.toString(), "--features", "value", "--output",
                temp.resolve("none").toString(), "--time-zone", "Europe/Paris");

        assertThat(exit).isZero();
        assertThat(err.toString()).doesNotContain("without an offset");
    }

    /** A file of five-minute values whose times carry no offset. */
    private Path localTimes() throws IOException {
        Path local = temp.resolve("local.csv");
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 300; i++) {
            csv.append(LocalDateTime.of(2024, 5, 1, 0, 0).plusMinutes(5L * i)).append(',')
                    .append(Math.sin(i / 12.0)).append('\n');
        }
        Files.writeString(local, csv);
        return local;
    }

    @Test
    void helpDocumentsTheOptions() {
        int exit = GruStreamCommand.commandLine().setOut(new PrintWriter(out)).execute("train", "--help");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("--input=FILE.csv|DIR", "--normalization=per-key|fixed",
                "--learning-rate=RATE", "--patience=EPOCHS");
    }

    /** Runs {@code train} with {@code options}, and small defaults for the shape and the epochs they leave out. */
    private int train(String... options) {
        List<String> given = List.of(options);
        List<String> args = new ArrayList<>(List.of("train", "--epochs", "2", "--threads", "1"));
        if (!given.contains("--hidden")) {
            args.addAll(List.of("--hidden", "4"));
        }
        if (!given.contains("--window")) {
            args.addAll(List.of("--window", "16"));
        }
        args.addAll(given);
        CommandLine command = GruStreamCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args.toArray(String[]::new));
    }

    private static void writeCsv(Path file, String column, TrainingSeries series) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder csv = new StringBuilder("timestamp," + column + "\n");
        for (int i = 0; i < series.rows(); i++) {
            csv.append(1_700_000_000_000L + i * 60_000L).append(',').append(series.value(i, 0)).append('\n');
        }
        Files.writeString(file, csv);
    }
}
