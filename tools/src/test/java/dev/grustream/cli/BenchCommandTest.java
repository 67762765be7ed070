package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gru-stream bench}'s options, refused before any broker starts. */
class BenchCommandTest {

    @Test
    void aLatencyDurationThatIsNotWholeSecondsIsRefusedRatherThanSkippingTheRuns() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench",
                "--latency-duration", "500ms");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--latency-duration must be whole seconds", "found 500 ms");
    }

    @Test
    void anUnknownTopologyToRunAloneIsRefusedRatherThanRunningNeither() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--only", "Baseline");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--only must be baseline or gru, found Baseline");
    }

    @Test
    void aNegativeWarmUpIsRefused() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench",
                "--warm-up-records", "-1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--warm-up-records must be 0 or more, found -1");
    }

    @Test
    void anUnknownInputFormatIsRefused() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--input", "csv");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--input must be avro or json, found csv");
    }

    @Test
    void jsonInputWithALatencyRunIsRefusedAsItsLoadIsAvro() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--input", "json");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--input json measures throughput only", "--latency-duration 0");
    }

    @Test
    void theRepartitionWithoutJsonInputIsRefusedAsAvroRecordsNameNoSeries() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--repartition",
                "--latency-duration", "0");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--repartition needs --input json");
    }

    @Test
    void theRepartitionSetAsASettingIsRefusedInFavourOfItsOption() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--set",
                "input.repartition=true");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("input.repartition is set by bench's --repartition option");
    }

    @Test
    void theJsonMappingSetAsASettingIsRefusedInFavourOfTheInputOption() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench", "--set",
                "input.key.fields=host");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("input.key.fields is set by bench's --input option");
    }

    @Test
    void aSettingOfTheTopicsFormatsIsRefusedAsTheBenchmarkWritesAndReadsItsOwnAvroRecords() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("bench",
                "--set", "output.format=json");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("output.format does not apply").doesNotContain("internal error");
    }

    @Test
    void aServicesFileKeepsItsClientSettingsAndLeavesOutItsFormatsAndSubjectRules(@TempDir Path dir)
            throws IOException {
        Path config = Files.writeString(dir.resolve("service.properties"), String.join("\n",
                "input.format=json", "input.time.field=ts", "output.format=json", "output.layout=flat",
                "auto.register.schemas=false", "use.latest.version=true", "security.protocol=SASL_SSL",
                "learner.enabled=false"));

        Map<String, String> settings = BenchCommand.serviceSettings(config, Map.of("GRU_STREAM_OUTPUT_FORMAT", "json"),
                Map.of());

        assertThat(settings).containsOnly(Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("learner.enabled", "false"));
    }
}
