package dev.grustream.service;

import dev.grustream.avro.AlertRule;
import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Severity;
import dev.grustream.avro.StateReset;
import dev.grustream.config.OperatorException;
import dev.grustream.model.ModelSpec;
import dev.grustream.serde.ConfluentRegistryError;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import dev.grustream.topology.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that the forecasts' and alerts' value schemas can be written, by serializing one sample record of
 * each for its topic with the serializers the topology uses (gru-stream's or one named by
 * {@code output.value.serializer}): it registers the schema, or looks it up, as the first real output would, and
 * nothing is sent to Kafka.
 *
 * <p>Without it, a registry that refuses an output's schema (an {@code output.layout} switched on an existing topic,
 * {@code auto.register.schemas=false} with the subject missing, wrong credentials) failed the tasks at their first
 * output, again at every retry, and in a rolling upgrade the partitions handed to the new instance stopped there. A
 * registry that does not answer within the wait, or answers that it cannot now (5xx, 408, 429, no connection), is only
 * warned about: the tasks wait for it as before. Stateless.
 */
final class OutputSchemaCheck {
    private static final Logger LOG = LoggerFactory.getLogger(OutputSchemaCheck.class);
    private static final String SAMPLE_KEY = "gru-stream-start-up-check";

    private OutputSchemaCheck() {
    }

    /**
     * Serializes a sample forecast and alert for {@code topics}' output topics, waiting up to {@code wait} in all
     * for the registry; a probe that outlasts the wait goes on in the background and logs what it got.
     *
     * @throws OperatorException if a serializer refuses its sample other than for a registry that cannot answer now
     */
    static void check(Topics topics, ModelSpec model, Duration wait) {
        List<Map.Entry<String, Runnable>> probes = List.of(
                Map.entry(topics.forecasts(), () -> serialize(topics.forecastSerializer(), topics.forecasts(),
                        forecast(model))),
                Map.entry(topics.alerts(), () -> serialize(topics.alertSerializer(), topics.alerts(), alert(model))));
        long deadline = System.nanoTime() + wait.toNanos();
        for (Map.Entry<String, Runnable> probe : probes) {
            String topic = probe.getKey();
            CompletableFuture<Void> done = new CompletableFuture<>();
            // On a daemon thread of its own: a registry that does not answer would hold the start for its every retry.
            Thread thread = new Thread(() -> {
                try {
                    probe.getValue().run();
                    done.complete(null);
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            }, "gru-stream-output-schema-check");
            thread.setDaemon(true);
            thread.start();
            try {
                done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn("The Schema Registry did not answer within {} s for the value schema of topic {}; it is"
                        + " checked again at the first output, which waits for it", wait.toSeconds(), topic);
                done.whenComplete((ignored, failure) -> {
                    if (failure == null) {
                        LOG.info("The Schema Registry took the value schema of topic {} after the start's wait", topic);
                    } else if (!cannotAnswerNow(failure)) {
                        LOG.error(refusal(topic, failure));
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperatorException("Interrupted while checking the output schemas", e);
            } catch (ExecutionException e) {
                judge(topic, e.getCause());
            }
        }
    }

    private static <T> void serialize(Serializer<T> serializer, String topic, T sample) {
        try (serializer) {
            serializer.serialize(topic, new RecordHeaders(), sample);
        }
    }

    private static void judge(String topic, Throwable failure) {
        if (cannotAnswerNow(failure)) {
            LOG.warn("The Schema Registry could not take the value schema of topic {} now ({}); it is checked again"
                    + " at the first output, which retries until it can", topic, failure.toString());
            return;
        }
        throw new OperatorException(refusal(topic, failure), failure);
    }

    private static String refusal(String topic, Throwable failure) {
        StringBuilder reasons = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            reasons.append(reasons.length() == 0 ? "" : ": ").append(t.getMessage());
        }
        return "The output topic " + topic + " cannot be written: its value schema is refused (" + reasons + ")."
                + " Check the registry's subject and compatibility level, auto.register.schemas, use.latest.version,"
                + " output.layout, and the registry's credentials and certificates";
    }

    /**
     * Whether {@code failure} says the registry could not be reached or asked to be tried again later: gru-stream's
     * client has tried every URL (5xx, 408, 429, no connection), or Confluent's answers so. A refused TLS handshake
     * is a setting to mend, not an outage.
     */
    private static boolean cannotAnswerNow(Throwable failure) {
        if (ConfluentRegistryError.in(failure).filter(ConfluentRegistryError::unavailable).isPresent()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryUnavailableException) {
                return true;
            }
            if (t instanceof SSLException || t instanceof SchemaRegistryException) {
                return false;
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static Forecast forecast(ModelSpec model) {
        Map<String, List<Double>> forecast = new HashMap<>();
        Map<String, Double> actual = new HashMap<>();
        for (String target : model.targets()) {
            forecast.put(target, Collections.nCopies(model.horizon(), 0.0));
            actual.put(target, 0.0);
        }
        return new Forecast(SAMPLE_KEY, Instant.EPOCH, model.name(), model.version(), forecast, null, 0.0, false, 0L,
                StateReset.NONE, actual, Map.of(), Map.of());
    }

    private static AnomalyAlert alert(ModelSpec model) {
        Map<String, Double> values = new HashMap<>();
        model.targets().forEach(target -> values.put(target, 0.0));
        return new AnomalyAlert(SAMPLE_KEY, Instant.EPOCH, values, values, 1.0, 1.0, Severity.WARNING, model.name(),
                model.version(), AlertRule.RANGE);
    }
}
