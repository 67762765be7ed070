package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.data.Timestamps;
import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import dev.grustream.testing.TopologyHarness;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BacktestCommandTest {
    @TempDir
    Path dir;
    Path model;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    Map<String, String> environment = Map.of();

    @BeforeEach
    void writeModel() throws IOException {
        model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("1"), model);
    }

    /** The tools' command line, whose backtest sees {@code environment} instead of the process's variables. */
    private CommandLine commandLine() {
        CommandLine command = GruStreamTools.commandLine();
        ((BacktestCommand) command.getSubcommands().get("backtest").getCommand()).environment = environment;
        return command;
    }

    private int backtest(String... args) {
        CommandLine command = commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("backtest", "--model", model.toString()));
        all.addAll(List.of(args));
        return command.execute(all.toArray(String[]::new));
    }

    private Path csv(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private static String series(int rows) {
        return series(0, rows);
    }

    /** Rows {@code from} to {@code to - 1} of one series, a minute apart. */
    private static String series(int from, int to) {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = from; i < to; i++) {
            csv.append(String.format(Locale.ROOT, "2015-08-31 %02d:%02d:00,%s%n", i / 60, i % 60,
                    10 + Math.sin(i / 4.0)));
        }
        return csv.toString();
    }

    @Test
    void writesOneRowPerInputRowWithTheDocumentedColumns() throws IOException {
        Path input = csv("in/speed.csv", series(30));
        Path output = dir.resolve("out.csv");

        assertThat(backtest("--input", input.toString(), "--output", output.toString())).isZero();

        List<String> lines = Files.readAllLines(output);
        assertThat(lines.get(0)).isEqualTo("key,timestamp,value,forecast_value,forecast_value_h1,"
                + "forecast_value_h1_lower,forecast_value_h1_upper,anomaly_score,alert");
        assertThat(lines).hasSize(31);
        assertThat(lines.get(1)).startsWith("speed,2015-08-31 00:00:00,10.0,");
    }

    @Test
    void aModelWhoseNamesWouldMakeTwoColumnsOfOneNameIsRefused() throws IOException {
        // Target x's step-1 column and target x_h1's one-step column are both forecast_x_h1.
        model = dir.resolve("clashing-model");
        ModelWriter.write(TestingModels.persistence("1", 2, "x", "x_h1"), model);
        Path input = csv("in/k.csv", "timestamp,x,x_h1\n2015-08-31 00:00:00,1,2\n");

        assertThat(backtest("--input", input.toString(), "--output", dir.resolve("out.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("two output columns named forecast_x_h1");
        assertThat(dir.resolve("out.csv")).doesNotExist();
    }

    @Test
    void forecastsAreTheTopologysForecasts() throws IOException {
        Path input = csv("in/speed.csv", series(5));
        Path output = dir.resolve("out.csv");
        backtest("--input", input.toString(), "--output", output.toString(), "--set", "learner.enabled=false");

        List<String> lines = Files.readAllLines(output);
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            assertThat(Double.parseDouble(cells[3]))
                    .isEqualTo(TestingModels.persistenceForecast(Double.parseDouble(cells[2])), org.assertj.core.api
                            .Assertions.within(1e-4));
        }
        try (TopologyHarness harness = new TopologyHarness(TestingModels.persistence("1"),
                Map.of(GruStreamConfig.LEARNER_ENABLED, "false"))) {
            String[] first = lines.get(1).split(",");
            harness.send("speed", dev.grustream.data.Timestamps.parse(first[1]), Double.parseDouble(first[2]));
            harness.flush();
            assertThat(harness.forecastValues().get(0).getForecast().get("value").get(0))
                    .isEqualTo(Double.parseDouble(first[3]));
        }
    }

    @Test
    void deadLetteredRowsKeepTheirPlaceWithTheirReason() throws IOException {
        Path input = csv("in/bad.csv", "timestamp,value\n1000,1\nlater,2\n2000,NaN\n3000,3\n2500,4\n");
        Path output = dir.resolve("out.csv");

        backtest("--input", input.toString(), "--output", output.toString());

        List<String> lines = Files.readAllLines(output);
        assertThat(lines.get(0)).endsWith(",alert,dead_letter");
        assertThat(lines.get(1)).endsWith(",false,");
        assertThat(lines.get(2)).isEqualTo("bad,later,2.0,,,,,,false,invalid-time");
        assertThat(lines.get(3)).isEqualTo("bad,2000,NaN,,,,,,false,not-finite");
        assertThat(lines.get(5)).isEqualTo("bad,2500,4.0,,,,,,false,late");
        assertThat(out.toString()).contains("5 rows from 1 file(s): 2 forecasts, 3 dead letters (invalid-time 1,"
                + " late 1, not-finite 1)");
    }

    @Test
    void rowsDeadLetteredAsLateAreCalledOutWithWhatToDo() throws IOException {
        Path input = csv("in/newest-first.csv", "timestamp,value\n3000,3\n2000,2\n1000,1\n");

        backtest("--input", input.toString(), "--output", dir.resolve("out.csv").toString());

        assertThat(err.toString()).contains("2 rows were older than their key's last and dead-lettered as late")
                .contains("sort it");
    }

    @Test
    void rowsWithoutATimeAreCalledOutWithWhyTheFirstWasRefused() throws IOException {
        Path input = csv("in/times.csv", "timestamp,value\n1000,1\n31/12/2024,2\nlater,3\n");

        backtest("--input", input.toString(), "--output", dir.resolve("out.csv").toString());

        assertThat(err.toString()).contains("2 rows had no time the service reads (invalid-time); the first, "
                + input + ", line 3: " + Timestamps.whyNot("31/12/2024"));
    }

    @Test
    void aRowBefore1970IsDeadLetteredAsTheServiceRefusesIt() throws IOException {
        Path input = csv("in/old.csv", "timestamp,value\n1000,1\n1969-12-31 23:59:59,2\n3000,3\n");
        Path output = dir.resolve("out.csv");

        int exit = backtest("--input", input.toString(), "--output", output.toString());

        assertThat(exit).isZero();
        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).isEqualTo("old,1969-12-31 23:59:59,2.0,,,,,,false,invalid-time");
    }

    @Test
    void theOutputGetsTheSamePermissionsAsAnyNewFileThere() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path input = csv("in/s.csv", series(30));
        Path output = dir.resolve("out.csv");
        Path probe = Files.createFile(dir.resolve("probe"));

        backtest("--input", input.toString(), "--output", output.toString());

        assertThat(Files.getPosixFilePermissions(output)).isEqualTo(Files.getPosixFilePermissions(probe));
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(Path::toString)).noneMatch(name -> name.endsWith(".partial"));
        }
    }

    @Test
    void aRowWithMoreCellsThanTheHeaderIsDeadLetteredAndTheReplayGoesOn() throws IOException {
        Path input = csv("in/comma.csv", "timestamp,value\n1000,1\n2000,2,5\n3000,3\n");
        Path output = dir.resolve("out.csv");

        backtest("--input", input.toString(), "--output", output.toString());

        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).isEqualTo("comma,2000,NaN,,,,,,false,undecodable");
        assertThat(lines.get(3)).endsWith(",false,");
        assertThat(out.toString()).contains("3 rows from 1 file(s): 2 forecasts, 1 dead letters");
    }

    @Test
    void aDirectoryInputIsMirroredInTheOutputDirectory() throws IOException {
        csv("data/traffic/a.csv", series(10));
        csv("data/cloud/b.csv", series(10));

        backtest("--input", dir.resolve("data").toString(), "--output", dir.resolve("results").toString());

        assertThat(dir.resolve("results/traffic/a.csv")).exists();
        assertThat(dir.resolve("results/cloud/b.csv")).exists();
    }

    @Test
    void printsAccuracyPerKeyAndOverall() throws IOException {
        backtest("--input", csv("in/speed.csv", series(50)).toString(), "--output", dir.resolve("o.csv").toString());

        assertThat(out.toString()).contains("MASE").contains("sMASE").contains("cover").contains("speed")
                .contains("Every step, all keys");
    }

    @Test
    void aKeyInSeveralFilesIsSummarisedOverAllOfThem() throws IOException {
        csv("data/a/speed.csv", series(0, 30));
        csv("data/b/speed.csv", series(30, 60));

        backtest("--input", dir.resolve("data").toString(), "--output", dir.resolve("out").toString());

        // 59 one-step forecasts of key "speed" meet their targets, the one made at the first file's last row too.
        assertThat(out.toString()).containsPattern("(?m)^speed\\s+value\\s+59\\s");
    }

    @Test
    void aKeyWhoseRowsGoOnInALaterFileCarriesItsStateOn() throws IOException {
        csv("daily/1/speed.csv", series(0, 30));
        csv("daily/2/speed.csv", series(30, 60));
        csv("whole/speed.csv", series(0, 60));

        assertThat(backtest("--input", dir.resolve("daily").toString(), "--output", dir.resolve("split").toString()))
                .isZero();
        assertThat(backtest("--input", dir.resolve("whole").toString(), "--output", dir.resolve("one").toString()))
                .isZero();

        List<String> whole = Files.readAllLines(dir.resolve("one/speed.csv"));
        assertThat(Files.readAllLines(dir.resolve("split/2/speed.csv")).subList(1, 31))
                .isEqualTo(whole.subList(31, 61));
    }

    @Test
    void filesGivenOutOfOrderAreReplayedInTheOrderOfTheirPaths() throws IOException {
        Path second = csv("daily/2026-01-02.csv", series(30, 60).replace("timestamp,value", "timestamp,key,value")
                .replaceAll("(?m)^(2015-[^,]+),", "$1,speed,"));
        Path first = csv("daily/2026-01-01.csv", series(0, 30).replace("timestamp,value", "timestamp,key,value")
                .replaceAll("(?m)^(2015-[^,]+),", "$1,speed,"));

        assertThat(backtest("--input", second.toString(), "--input", first.toString(), "--output",
                dir.resolve("out").toString())).isZero();

        assertThat(out.toString()).contains("60 rows from 2 file(s): 60 forecasts, 0 dead letters");
    }

    @Test
    void inputsThatOverlapAreRefusedRatherThanCountedTwice() throws IOException {
        csv("data/sub/speed.csv", series(30));

        int exit = backtest("--input", dir.resolve("data").toString(), "--input",
                dir.resolve("data/sub").toString(), "--output", dir.resolve("out").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("is given twice");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aChartThatWouldBeWrittenOverAnInputIsRefused() throws IOException {
        Path input = csv("in/speed.csv", series(30));

        int exit = backtest("--input", input.toString(), "--output", dir.resolve("out").toString(), "--plot",
                input.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--plot " + input + " would be written over an input");
        assertThat(input).content().startsWith("timestamp");
    }

    @Test
    void twoInputsOfOneNameWrittenToOneOutputAreRefused() throws IOException {
        Path first = csv("a/speed.csv", series(30));
        Path second = csv("b/speed.csv", series(30));

        int exit = backtest("--input", first.toString(), "--input", second.toString(), "--output",
                dir.resolve("out").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("would both be written to");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aSettingThatIsRefusedLeavesNothingInTheOutputsDirectory() throws IOException {
        Path input = csv("in/speed.csv", series(30));
        Path out = Files.createDirectories(dir.resolve("out"));

        int exit = backtest("--input", input.toString(), "--output", out.resolve("speed.csv").toString(), "--set",
                "anomaly.threshold=high");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("anomaly.threshold");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void anOutputOverAnInputIsRefused() throws IOException {
        Path input = csv("data/speed.csv", series(30));

        int exit = backtest("--input", dir.resolve("data").toString(), "--output", dir.resolve("data").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("lies inside the input directory");
        assertThat(input).hasContent(series(30));
    }

    @Test
    void aSingleFileWrittenOverItselfOrThroughALinkIsRefused() throws IOException {
        Path input = csv("data/speed.csv", series(30));
        Path link = Files.createSymbolicLink(dir.resolve("results"), dir.resolve("data"));

        assertThat(backtest("--input", input.toString(), "--output", dir.resolve("data/../data/speed.csv").toString()))
                .isEqualTo(2);
        assertThat(backtest("--input", dir.resolve("data").toString(), "--output", link.toString())).isEqualTo(2);
        assertThat(backtest("--input", dir.resolve("data").toString(), "--output", dir.resolve("data/out").toString()))
                .isEqualTo(2);

        assertThat(input).hasContent(series(30));
        assertThat(dir.resolve("data/out")).doesNotExist();
    }

    @Test
    void aPlotThatCannotBeWrittenIsRefusedBeforeTheReplay() throws IOException {
        int exit = backtest("--input", csv("in/x.csv", series(30)).toString(), "--output",
                dir.resolve("o.csv").toString(), "--plot", dir.resolve("no/such/dir/chart.png").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("cannot write in");
        assertThat(dir.resolve("o.csv")).doesNotExist();
    }

    @Test
    void aSettingOfTheTopicsFormatsIsAUserError() throws IOException {
        assertThat(backtest("--input", csv("in/x.csv", series(30)).toString(), "--output",
                dir.resolve("o.csv").toString(), "-s", "output.format=json")).isEqualTo(2);
        assertThat(err.toString()).contains("output.format does not apply").doesNotContain("internal error");
    }

    /** The lines {@code backtest} writes to {@code output}, in the test's directory, replaying {@code input}. */
    private List<String> replayed(Path input, String output, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--input", input.toString(), "--output",
                dir.resolve(output).toString()));
        all.addAll(List.of(args));
        backtest(all.toArray(String[]::new));
        return Files.readAllLines(dir.resolve(output));
    }

    @Test
    void theServicesConfigFileSetsTheReplay() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        Path config = csv("service.properties", "learner.enabled=false\n");

        assertThat(replayed(input, "file.csv", "--config", config.toString()))
                .isEqualTo(replayed(input, "set.csv", "-s", "learner.enabled=false"))
                .isNotEqualTo(replayed(input, "default.csv"));
    }

    @Test
    void theEnvironmentsGruStreamVariablesSetTheReplayOverTheConfigFile() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        Path config = csv("service.properties", "learner.enabled=true\n");
        List<String> set = replayed(input, "set.csv", "-s", "learner.enabled=false");
        environment = Map.of("GRU_STREAM_LEARNER_ENABLED", "false");

        assertThat(replayed(input, "env.csv", "--config", config.toString())).isEqualTo(set);
    }

    @Test
    void aSettingOnTheCommandLineOverridesTheConfigFile() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        Path config = csv("service.properties", "learner.enabled=false\n");

        assertThat(replayed(input, "overridden.csv", "--config", config.toString(), "-s", "learner.enabled=true"))
                .isEqualTo(replayed(input, "default.csv"));
    }

    @Test
    void theConfigFilesFormatsAndBrokerSettingsAreIgnored() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        Path config = csv("service.properties", String.join("\n", "learner.enabled=false", "input.format=json",
                "input.time.field=ts", "output.format=json", "bootstrap.servers=broker:9092",
                "schema.registry.url=http://registry:8081", "security.protocol=SASL_SSL",
                "processing.guarantee=exactly_once_v2", ""));

        backtest("--input", input.toString(), "--output", dir.resolve("set.csv").toString(),
                "-s", "learner.enabled=false");
        int exit = backtest("--input", input.toString(), "--output", dir.resolve("file.csv").toString(),
                "--config", config.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("file.csv"))).isEqualTo(Files.readAllLines(dir.resolve("set.csv")));
    }

    @Test
    void aConfigFileThatRaisesTheInputLimitWithTheRequestSizeIsReplayedAsTheServiceStarts() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        Path config = csv("service.properties", "input.max.value.bytes=600000\nmax.request.size=2097152\n");

        int exit = backtest("--input", input.toString(), "--output", dir.resolve("o.csv").toString(),
                "--config", config.toString());

        assertThat(exit).as(err.toString()).isZero();
    }

    @Test
    void theConfigFilesModelIsReplayedUnlessModelIsGiven() throws IOException {
        Path input = csv("in/speed.csv", series(60));
        backtest("--input", input.toString(), "--output", dir.resolve("given.csv").toString());
        CommandLine command = commandLine();
        command.setErr(new PrintWriter(err, true));
        Path config = csv("service.properties", "model.path=" + model + "\n");

        int exit = command.execute("backtest", "--config", config.toString(), "--input", input.toString(),
                "--output", dir.resolve("configured.csv").toString());
        int overridden = backtest("--config", csv("other.properties", "model.path=" + dir.resolve("no-model")
                + "\n").toString(), "--input", input.toString(), "--output", dir.resolve("o.csv").toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("configured.csv")))
                .isEqualTo(Files.readAllLines(dir.resolve("given.csv")));
        assertThat(overridden).as(err.toString()).isZero();
    }

    @Test
    void aMisspeltSettingInTheConfigFileIsRefusedAsTheServiceRefusesIt() throws IOException {
        Path config = csv("service.properties", "learner.profil.weekly=true\n");

        assertThat(backtest("--config", config.toString(), "--input", csv("in/x.csv", series(30)).toString(),
                "--output", dir.resolve("o.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("learner.profil.weekly").doesNotContain("internal error");
    }

    @Test
    void aConfigFileThatCannotBeReadIsAUserErrorNamingIt() throws IOException {
        Path missing = dir.resolve("missing.properties");

        assertThat(backtest("--config", missing.toString(), "--input", csv("in/x.csv", series(30)).toString(),
                "--output", dir.resolve("o.csv").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.properties").doesNotContain("internal error");
    }

    @Test
    void saysSoWhenNoRowWasForecast() throws IOException {
        assertThat(backtestOf("dates.csv", "timestamp,value\n01/06/2015,1\n02/06/2015,2\n")).isZero();
        assertThat(err.toString()).contains("no row was forecast: all 2 were dead-lettered");
    }

    @Test
    void anEmptyFileIsAUserErrorNamingTheFile() throws IOException {
        assertThat(backtestOf("empty.csv", "")).isEqualTo(2);
        assertThat(err.toString()).contains("empty.csv").doesNotContain("internal error");
    }

    /** Back-tests one file named {@code name} holding {@code content}; returns the exit code. */
    private int backtestOf(String name, String content) throws IOException {
        return backtest("--input", csv("in/" + name, content).toString(), "--output", dir.resolve("o.csv").toString());
    }

    @Test
    void writesEveryStepOfTheHorizonWithItsInterval() throws IOException {
        model = dir.resolve("horizon-3");
        ModelWriter.write(TestingModels.persistence("1", 3), model);
        Path output = dir.resolve("steps.csv");

        backtest("--input", csv("in/speed.csv", series(200)).toString(), "--output", output.toString());

        List<String> lines = Files.readAllLines(output);
        List<String> header = List.of(lines.get(0).split(","));
        assertThat(header).containsSubsequence("forecast_value", "forecast_value_h1", "forecast_value_h1_lower",
                "forecast_value_h1_upper", "forecast_value_h2", "forecast_value_h2_lower", "forecast_value_h2_upper",
                "forecast_value_h3", "forecast_value_h3_lower", "forecast_value_h3_upper", "anomaly_score");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells[header.indexOf("forecast_value")]).isEqualTo(cells[header.indexOf("forecast_value_h1")]);
        }
        String[] late = lines.get(lines.size() - 1).split(",", -1);
        for (int k = 1; k <= 3; k++) {
            double forecast = Double.parseDouble(late[header.indexOf("forecast_value_h" + k)]);
            assertThat(Double.parseDouble(late[header.indexOf("forecast_value_h" + k + "_lower")]))
                    .isLessThan(forecast);
            assertThat(Double.parseDouble(late[header.indexOf("forecast_value_h" + k + "_upper")]))
                    .isGreaterThan(forecast);
        }
    }

    @Test
    void withLearningOffEveryStepIsWrittenWithoutAnInterval() throws IOException {
        model = dir.resolve("horizon-3");
        ModelWriter.write(TestingModels.persistence("1", 3), model);
        Path output = dir.resolve("steps.csv");

        int exit = backtest("--input", csv("in/speed.csv", series(50)).toString(), "--output", output.toString(),
                "--set", "learner.enabled=false");

        assertThat(exit).isZero();
        List<String> lines = Files.readAllLines(output);
        List<String> header = List.of(lines.get(0).split(","));
        String[] late = lines.get(lines.size() - 1).split(",", -1);
        for (int k = 1; k <= 3; k++) {
            assertThat(late[header.indexOf("forecast_value_h" + k)]).isNotEmpty();
            assertThat(late[header.indexOf("forecast_value_h" + k + "_lower")]).isEmpty();
            assertThat(late[header.indexOf("forecast_value_h" + k + "_upper")]).isEmpty();
        }
    }

    @Test
    void drawsAChart() throws IOException {
        Path png = dir.resolve("chart.png");

        backtest("--input", csv("in/speed.csv", series(50)).toString(), "--output", dir.resolve("o.csv").toString(),
                "--plot", png.toString());

        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    }
}
