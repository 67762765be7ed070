package dev.grustream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The logging configuration every command runs with ({@code src/main/resources/logback.xml}), at its defaults. */
class LogbackConfigurationTest {

    private static LoggerContext configured() throws JoranException {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
        return context;
    }

    @Test
    void anInProcessBrokersLineForEveryPartitionsStateChangeIsLeftOut() throws JoranException {
        LoggerContext context = configured();

        assertThat(context.getLogger("state.change.logger").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void gruStreamsOwnInformationIsKept() throws JoranException {
        LoggerContext context = configured();

        assertThat(context.getLogger("dev.grustream.service.GruStreamService").getEffectiveLevel())
                .isEqualTo(Level.INFO);
    }

    @Test
    void controlCharactersInAMessageCannotForgeOrHideLines() throws Exception {
        String written = stderrOf(logger -> logger.warn("refused key {}", "a\n2026-01-01 ERROR forged\u001b[8m\u009b"));

        assertThat(written.lines()).singleElement().asString()
                .endsWith("refused key a?2026-01-01 ERROR forged?[8m?");
    }

    @Test
    void aStackTraceKeepsItsLineBreaksButNotItsOtherControlCharacters() throws Exception {
        String written = stderrOf(logger -> logger.error("failed", new IllegalStateException("bad\r\u001b[2K")));

        assertThat(written).contains("java.lang.IllegalStateException: bad??[2K" + System.lineSeparator() + "\tat ")
                .doesNotContain("\u001b");
        assertThat(written.split("IllegalStateException", -1)).as("the stack trace written once").hasSize(2);
    }

    @Test
    void kafkaStreamsWarningOfAClientSettingItIgnoresIsKept() throws Exception {
        String written = stderrOf("org.apache.kafka.streams.StreamsConfig", logger -> logger.warn("Unexpected"
                + " user-specified {} config '{}' found. {} setting ({}) will be ignored and the Streams default"
                + " setting ({}) will be used.", "consumer", "enable.auto.commit", "User", true, false));

        assertThat(written).contains("enable.auto.commit");
    }

    @Test
    void kafkaStreamsWarningOfAGlobalHandlerThatIsOnIsLeftOut() throws Exception {
        String written = stderrOf("org.apache.kafka.streams.StreamsConfig", logger -> logger.warn("Processing"
                + " exception handler is not enabled for the GlobalThread. It's recommended to set"
                + " `processing.exception.handler.global.enabled` to true to enable it."));

        assertThat(written).isEmpty();
    }

    /** What the configuration's appender writes to stderr for what {@code logging} logs. */
    private static String stderrOf(Consumer<Logger> logging) throws JoranException {
        return stderrOf("dev.grustream.Test", logging);
    }

    /** What the configuration's appender writes to stderr for what {@code logging} logs through {@code logger}. */
    private static String stderrOf(String logger, Consumer<Logger> logging) throws JoranException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        // Before the configuration: its console appender takes the stream there is as it starts.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerContext context = configured();
            context.setMDCAdapter(new LogbackMDCAdapter()); // as SLF4J's binding gives the context it starts
            logging.accept(context.getLogger(logger));
            context.stop();
        } finally {
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
