package dev.grustream.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles an output record that cannot be sent or serialized: a retriable error is retried, any other fails the task,
 * which is retried from the last commit, and nothing goes to the dead-letter topic.
 *
 * <p>Kafka Streams' default handler does the same but, with {@code errors.dead.letter.queue.topic.name} set, first
 * writes the input record being processed to that topic, without gru-stream's reason headers and uncounted by
 * {@code gru_dead_letters_total}, at every retry; during a batch's flush that input is some other record, or none. An
 * output that cannot be written is no input record's fault (docs/operations.md), so none is dead-lettered for it.
 *
 * <p>Kafka Streams creates one instance per stream thread from {@code production.exception.handler}. Stateless and
 * thread-safe.
 */
public final class OutputFailureHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OutputFailureHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        LOG.warn("Task {}: an output record to {} could not be sent ({}) while {}-{}@{} was processed; failing the"
                + " task so that its work is retried from the last commit", context.taskId(), record.topic(),
                exception.toString(), context.topic(), context.partition(), context.offset());
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        LOG.warn("Task {}: an output record to {} could not be serialized ({} {}) while {}-{}@{} was processed;"
                + " failing the task so that its work is retried from the last commit", context.taskId(),
                record.topic(), origin, exception.toString(), context.topic(), context.partition(), context.offset());
        return Response.fail();
    }
}
