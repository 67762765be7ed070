package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code gru-stream generate} without a broker to send to. */
class GenerateCommandTest {

    @Test
    void exitsNonZeroWhenItCannotSendInsteadOfRunningOnIdle() {
        StringWriter err = new StringWriter();

        // Nothing listens on port 1: the first send gives up after max.block.ms, and the run is over.
        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("generate", "--keys", "2",
                "--rate", "10", "--duration", "60", "--set", "bootstrap.servers=127.0.0.1:1",
                "--set", "max.block.ms=200", "--set", "schema.registry.url=mock://generate-command-test");

        assertThat(exit).isEqualTo(1);
    }

    @Test
    void exitsNonZeroWhenASendFailsAfterItsDurationIsUp() {
        // The first send gives up after 1.5 s, when the 1 s run is already over and the generator is closing.
        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(new StringWriter())).execute("generate",
                "--keys", "2", "--rate", "10", "--duration", "1", "--set", "bootstrap.servers=127.0.0.1:1",
                "--set", "max.block.ms=1500", "--set", "schema.registry.url=mock://generate-command-test");

        assertThat(exit).isEqualTo(1);
    }
}
