package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small {@code bench} end to end: its broker and its load generator each start in a JVM of their own, so this is
 * what catches a child launched with the wrong main class (the latency run then sees no forecast).
 */
@Tag("integration")
@Timeout(300)
class BenchCommandIntegrationTest {

    @Test
    void warmsUpThenMeasuresThroughputAndLatencyOfBothTopologiesWithChildJvmsAndPrintsTheHeadline() {
        StringWriter out = new StringWriter();
        int exitCode = GruStreamTools.commandLine().setOut(new PrintWriter(out)).execute("bench",
                "--records", "20000", "--warm-up-records", "5000", "--keys", "200", "--hidden", "8",
                "--partitions", "2", "--latency-duration", "3s", "--latency-rate", "500");

        assertThat(exitCode).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("== starting a broker in a separate JVM")
                .containsPattern("== baseline: warm-up over 5000 records, not measured[\\s\\S]*"
                        + "== gru-stream: warm-up over 5000 records, not measured[\\s\\S]*"
                        + "== baseline: throughput over 20000 records")
                .containsPattern("baseline: latency at 500 records/s[\\s\\S]*latency p50 \\d+ ms")
                .containsPattern("gru-stream: latency at 500 records/s[\\s\\S]*latency p50 \\d+ ms")
                .containsPattern("\\| gru-stream \\|.*\\| \\d+ / \\d+ / \\d+ \\(500 / [1-9][\\d,]*\\) \\|")
                .containsPattern("gru/baseline stream-thread CPU per record: \\d+\\.\\d+");
    }

    /** Each run waits for one forecast per record, so it ends only if every JSON record went through. */
    @Test
    void measuresBothTopologiesOnJsonInputWithTheRepartition() {
        StringWriter out = new StringWriter();
        int exitCode = GruStreamTools.commandLine().setOut(new PrintWriter(out)).execute("bench",
                "--records", "5000", "--warm-up-records", "0", "--keys", "100", "--hidden", "8",
                "--partitions", "2", "--latency-duration", "0", "--input", "json", "--repartition");

        assertThat(exitCode).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("== preloading 5,000 observations (json)")
                .contains("settings {input.repartition=true}")
                .containsPattern("\\| gru-stream \\| [\\d,]+ \\|")
                .containsPattern("gru/baseline stream-thread CPU per record: \\d+\\.\\d+");
    }
}
