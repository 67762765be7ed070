package dev.grustream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
}
