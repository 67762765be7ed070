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
        assertThat(err.toString()).as("not through the handler of internal errors").doesNotContain("internal error");
    }

    @Test
    void exitsNonZeroWhenASendFailsAfterItsDurationIsUp() {
        StringWriter err = new StringWriter();

        // The first send gives up after 1.5 s, when the 1 s run is already over and the generator is closing.
        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("generate",
                "--keys", "2", "--rate", "10", "--duration", "1", "--set", "bootstrap.servers=127.0.0.1:1",
                "--set", "max.block.ms=1500", "--set", "schema.registry.url=mock://generate-command-test");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).as("not through the handler of internal errors").doesNotContain("internal error");
    }

    @Test
    void settingsItCannotCreateAProducerFromAreReportedInOneLine() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("generate", "--duration", "1",
                "--set", "bootstrap.servers=127.0.0.1:1", "--set", "security.protocol=SSL",
                "--set", "ssl.truststore.location=/nonexistent/truststore.jks",
                "--set", "schema.registry.url=mock://generate-command-test");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Cannot create the Kafka clients").doesNotContain("internal error");
    }

    @Test
    void anotherInputFormatIsRefusedAsTheInstancesWouldDeadLetterEveryRecord() {
        StringWriter err = new StringWriter();

        int exit = GruStreamTools.commandLine().setErr(new PrintWriter(err)).execute("generate", "--duration", "1",
                "--set", "input.format=json", "--set", "input.key.fields=host",
                "--set", "schema.registry.url=mock://generate-command-test");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("input.format=json would dead-letter");
    }
}
