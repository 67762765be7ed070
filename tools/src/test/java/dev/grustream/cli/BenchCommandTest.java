package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

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
}
