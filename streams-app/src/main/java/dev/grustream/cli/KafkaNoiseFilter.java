package dev.grustream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the one warning of Kafka Streams that no setting silences: 4.3.1's partition assignor checks a private copy
 * of the configuration and warns that the processing exception handler is off for the global thread, though
 * gru-stream sets {@code processing.exception.handler.global.enabled}. Every other line of that logger passes, such as
 * a client setting of the user's that Kafka Streams ignores. Written by hand: logback matches messages only through
 * Janino's evaluators, a library the image does not carry for one line. Named in {@code logback.xml}. Stateless and
 * thread-safe.
 */
public final class KafkaNoiseFilter extends TurboFilter {
    private static final String STREAMS_CONFIG = "org.apache.kafka.streams.StreamsConfig";
    private static final String GLOBAL_HANDLER_OFF = "Processing exception handler is not enabled for the GlobalThread";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        return format != null && format.startsWith(GLOBAL_HANDLER_OFF) && STREAMS_CONFIG.equals(logger.getName())
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
