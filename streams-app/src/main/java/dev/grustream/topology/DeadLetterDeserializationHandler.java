package dev.grustream.topology;

import dev.grustream.input.InputException;
import dev.grustream.serde.AvroSerializationException;
import dev.grustream.serde.ConfluentRegistryError;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Sends records that cannot be deserialized to the dead-letter topic, through Kafka Streams' own dead-letter
 * mechanism, and keeps the stream running.
 *
 * <p>The exception from the observation reader ({@link InputException.Reason}) or gru-stream's Avro deserializer
 * ({@link AvroSerializationException.Reason}) says why; it becomes the record's {@value DeadLetters#REASON_HEADER}. A
 * registry that cannot be reached, or that refuses the request (wrong credentials, say), is not the record's fault: the
 * handler then fails the task instead of dead-lettering the record, so that every valid record is not thrown away while
 * the registry is unusable. The instance's uncaught-exception handler decides whether to retry (unreachable) or stop
 * (refused). Confluent's deserializer, set by {@code input.value.deserializer}, is read the same way: the registry
 * answer under its exceptions ({@link ConfluentRegistryError}), and the {@link InvalidConfigurationException} it
 * throws for an answer such as 401 Unauthorized.
 *
 * <p>Each dead letter is logged at WARN, at most ten a minute per reason and stream thread, the others at DEBUG with a
 * count in the next WARN line ({@link LogThrottle}).
 *
 * <p>Kafka Streams creates one instance per stream thread from {@code deserialization.exception.handler}.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private String deadLetterTopic;
    private int maxValueBytes;
    private ForecasterMetrics metrics;
    /** At most ten lines a minute per reason at WARN; the rest at DEBUG. */
    private final LogThrottle logged = LogThrottle.tenAMinute();

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterTopic = DeadLetters.topicOf(configs, getClass());
        maxValueBytes = DeadLetters.maxValueBytes(configs);
        metrics = ForecasterMetrics.of(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        // A network failure under the exception counts too: a deserializer of another library (Confluent's, set by
        // input.value.deserializer) reports a registry it cannot reach that way.
        if (registryUnreachable(exception)) {
            // The cause alone: the thread this fails logs the whole failure again as it is replaced.
            LOG.error("Task {}: cannot deserialize {}-{}@{} because the schema registry is unreachable ({}); failing"
                    + " the task so that the record is retried", context.taskId(), context.topic(), context.partition(),
                    context.offset(), DeadLetters.causeLine(exception, SchemaRegistryUnavailableException.class));
            return Response.fail();
        }
        if (registryRefused(exception)) {
            LOG.error("Task {}: cannot deserialize {}-{}@{} because the schema registry refused the request: {}",
                    context.taskId(), context.topic(), context.partition(), context.offset(), exception.getMessage());
            return Response.fail();
        }
        DeadLetterReason reason = reasonOf(exception);
        String message = messageOf(exception);
        // A record read again from input.repartition's topic names the input record in headers, whose coordinates,
        // key and timestamp the dead letter takes, as the forecaster's do, leaving the headers out.
        InputOrigin origin = InputOrigin.of(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.headers());
        LogThrottle.Told told = logged.tell(reason.code(), Level.WARN);
        LOG.atLevel(told.level()).log("Task {}: dead-lettering {}-{}@{} ({}): {}{}", context.taskId(), origin.topic(),
                origin.partition(), origin.offset(), reason.code(), message, told.heldBack());
        Long timestamp = DeadLetters.timestampOf(origin.timestamp());
        Headers headers = DeadLetters.headers(origin.headers(), reason, message, origin.topic(), origin.partition(),
                origin.offset());
        DeadLetters.Fitted fitted = DeadLetters.fitted(origin.key(), record.value(), maxValueBytes, headers);
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>(deadLetterTopic, null, timestamp,
                fitted.key(), fitted.value(), fitted.headers());
        metrics.deadLetter(reason);
        return Response.resume(List.of(deadLetter));
    }

    /**
     * Whether {@code exception} says the schema registry could not be reached, whichever deserializer threw it: a
     * network failure under another library's exception counts too.
     */
    public static boolean registryUnreachable(Exception exception) {
        return DeadLetters.causedBy(exception, SchemaRegistryUnavailableException.class) || unreachable(exception)
                || ConfluentRegistryError.in(exception).filter(ConfluentRegistryError::unavailable).isPresent();
    }

    /**
     * Whether {@code exception} says the schema registry refused the request (wrong credentials, say) or answered
     * with an error that is not the record's fault.
     */
    public static boolean registryRefused(Exception exception) {
        if (DeadLetters.causedBy(exception, InvalidConfigurationException.class)) {
            return true;
        }
        Optional<ConfluentRegistryError> confluent = ConfluentRegistryError.in(exception);
        if (confluent.isPresent()) {
            return !confluent.get().unknownSchemaId() && !confluent.get().invalidSchema();
        }
        return !DeadLetters.causedBy(exception, AvroSerializationException.class)
                && DeadLetters.causedBy(exception, SchemaRegistryException.class);
    }

    /** Whether a network failure (a refused or cut connection, a timeout, an unknown host) lies under it. */
    private static boolean unreachable(Exception exception) {
        return DeadLetters.causedBy(exception, SocketException.class)
                || DeadLetters.causedBy(exception, SocketTimeoutException.class)
                || DeadLetters.causedBy(exception, UnknownHostException.class)
                || DeadLetters.causedBy(exception, HttpTimeoutException.class);
    }

    /**
     * What a dead letter says of {@code exception}: its message, with its class in front unless it is a
     * {@link SerializationException}, whose message says what was wrong with the bytes. Other exceptions (a bare
     * {@code BufferUnderflowException} from Confluent's deserializer for a value shorter than its header, a
     * {@code NullPointerException}) may have no message, or one that names nothing without the class.
     */
    static String messageOf(Exception exception) {
        return exception instanceof SerializationException ? String.valueOf(exception.getMessage())
                : exception.getClass().getName() + ": " + exception.getMessage();
    }

    /**
     * The dead-letter reason of a record whose deserialization threw {@code exception}: what the reader or the
     * deserializer says, else {@code undecodable}. Whatever a deserializer throws counts against the bytes, as Kafka
     * Streams counts it: Confluent's throws a bare {@code BufferUnderflowException} for a value shorter than its
     * header, so a failure that is not a {@link SerializationException} is no sign of a fault of its own.
     */
    public static DeadLetterReason reasonOf(Exception exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof InputException input) {
                return switch (input.reason()) {
                    case UNDECODABLE -> DeadLetterReason.UNDECODABLE;
                    case SCHEMA_MISMATCH -> DeadLetterReason.SCHEMA_MISMATCH;
                    case MISSING_FIELD -> DeadLetterReason.MISSING_FIELD;
                    case NOT_A_NUMBER -> DeadLetterReason.NOT_A_NUMBER;
                    case INVALID_TIME -> DeadLetterReason.INVALID_TIME;
                    case VALUE_TOO_LARGE -> DeadLetterReason.VALUE_TOO_LARGE;
                    case KEY_TOO_LARGE -> DeadLetterReason.KEY_TOO_LARGE;
                };
            }
            if (t instanceof AvroSerializationException avro) {
                switch (avro.reason()) {
                    case UNKNOWN_SCHEMA_ID:
                        return DeadLetterReason.UNKNOWN_SCHEMA_ID;
                    case SCHEMA_MISMATCH:
                        return DeadLetterReason.SCHEMA_MISMATCH;
                    default:
                        return DeadLetterReason.UNDECODABLE;
                }
            }
        }
        Optional<ConfluentRegistryError> confluent = ConfluentRegistryError.in(exception);
        if (confluent.filter(ConfluentRegistryError::unknownSchemaId).isPresent()) {
            return DeadLetterReason.UNKNOWN_SCHEMA_ID;
        }
        if (confluent.filter(ConfluentRegistryError::invalidSchema).isPresent()) {
            return DeadLetterReason.SCHEMA_MISMATCH;
        }
        return DeadLetterReason.UNDECODABLE;
    }
}
