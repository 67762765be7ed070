package dev.grustream.topology;

import dev.grustream.input.InboundObservation;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Handles an unexpected exception while one input record was being processed: the record goes to the dead-letter
 * topic as {@code internal-error}, through Kafka Streams' own dead-letter mechanism, and the stream keeps running.
 *
 * <p>A failure while a whole batch was being advanced or its outcomes written ({@link BatchFailedException}) is
 * different: dropping it would lose every observation of the batch, so the handler fails the task instead, and the
 * batch is retried from the last commit. So is a state store that cannot be read or written
 * ({@link ProcessorStateException}, a full disk say): that is no record's fault, and dead-lettering the record while
 * its batch's forecasts are already out but the states not stored would write forecasts twice and advance states
 * from stale ones. So is any other of Kafka Streams' own exceptions, such as an earlier record's failed send, which
 * Kafka Streams throws once at the next send: with {@code input.repartition} under at-least-once, dead-lettering the
 * record at hand cleared it and the commit passed the record whose send failed. The instance's uncaught-exception
 * handler then decides whether to retry or stop.
 *
 * <p>A {@code processing.exception.handler} of the user's own does not replace this one: it is kept under
 * {@link #RECORD_HANDLER_CONFIG} and handles what one record caused instead of the dead-lettering below, while the
 * failures above still fail the task. Were it in this one's place, a handler that continues would let a failed batch's
 * records and every later one go without a forecast or a dead letter.
 *
 * <p>Each such dead letter is logged at ERROR with its stack trace, at most ten a minute per stream thread, the others
 * at DEBUG with a count in the next ERROR line ({@link LogThrottle}).
 *
 * <p>Kafka Streams creates one instance per stream thread from {@code processing.exception.handler}.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    /**
     * Where gru-stream keeps the class of a {@code processing.exception.handler} of the user's own, checked by
     * {@link GruStreamTopology#streamsProperties}.
     */
    public static final String RECORD_HANDLER_CONFIG = "gru.stream.record.processing.exception.handler";

    private String deadLetterTopic;
    private int maxValueBytes;
    private ForecasterMetrics metrics;
    /** The user's handler of what one record caused, or null for dead-lettering it here. */
    private ProcessingExceptionHandler recordHandler;
    /** At most ten lines, with their stack traces, a minute at ERROR; the rest at DEBUG. */
    private final LogThrottle logged = LogThrottle.tenAMinute();

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterTopic = DeadLetters.topicOf(configs, getClass());
        maxValueBytes = DeadLetters.maxValueBytes(configs);
        metrics = ForecasterMetrics.of(configs);
        if (configs.get(RECORD_HANDLER_CONFIG) instanceof Class<?> own) {
            recordHandler = Utils.newInstance(own.asSubclass(ProcessingExceptionHandler.class));
            recordHandler.configure(configs);
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        // Kafka Streams' own exceptions are no record's fault: a batch that failed, a store that cannot be written,
        // or an earlier record's failed send to input.repartition's topic, thrown once at the next send (in the
        // repartition's filter node, outside the forecaster); dead-lettering the record at hand would clear it and
        // let the commit pass the lost record.
        if (exception instanceof StreamsException || context.sourceRawValue() == null
                || DeadLetters.causedBy(exception, ProcessorStateException.class)) {
            LOG.error("Task {}: processing failed in {} outside a single record ({}); failing the task so that the"
                    + " work is retried from the last commit", context.taskId(), context.processorNodeId(),
                    exception.getMessage(), exception);
            return Response.fail();
        }
        if (recordHandler != null) {
            return recordHandler.handleError(context, record, exception);
        }
        // A record read again from input.repartition's topic names the input record in headers (see InputOrigin).
        InputOrigin origin = InputOrigin.of(context.topic(), context.partition(), context.offset(),
                context.timestamp(), context.sourceRawKey(), context.headers());
        LogThrottle.Told told = logged.tell(DeadLetterReason.INTERNAL_ERROR.code(), Level.ERROR);
        LOG.atLevel(told.level()).setCause(exception).log("Task {}: dead-lettering {}-{}@{} after an unexpected error"
                + " in {}{}", context.taskId(), origin.topic(), origin.partition(), origin.offset(),
                context.processorNodeId(), told.heldBack());
        // The input's own timestamp, not the event time the extractor gave the record (see ForecastProcessor#reject).
        // An input without a timestamp (-1) gets its event time read directly, and after the repartition, whose
        // headers carry the -1, none.
        Long timestamp = DeadLetters.timestampOf(record.value() instanceof InboundObservation observation
                ? observation.recordTimestamp(origin.timestamp()) : origin.timestamp());
        Headers headers = DeadLetters.headers(origin.headers(), DeadLetterReason.INTERNAL_ERROR,
                exception.getClass().getName() + ": " + exception.getMessage(), origin.topic(), origin.partition(),
                origin.offset());
        DeadLetters.Fitted fitted = DeadLetters.fitted(origin.key(), context.sourceRawValue(), maxValueBytes,
                headers);
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>(deadLetterTopic, null, timestamp,
                fitted.key(), fitted.value(), fitted.headers());
        metrics.deadLetter(DeadLetterReason.INTERNAL_ERROR);
        return Response.resume(List.of(deadLetter));
    }
}
