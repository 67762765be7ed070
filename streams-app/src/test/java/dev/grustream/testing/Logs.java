package dev.grustream.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What a class logs in a test. Stateless. */
public final class Logs {
    private Logs() {
    }

    /** What the logger of {@code source} received while {@code work} ran, at the levels it lets through. */
    public static List<ILoggingEvent> of(Class<?> source, Runnable work) {
        Logger logger = (Logger) LoggerFactory.getLogger(source);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            work.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list;
    }
}
