package dev.grustream.service;

import dev.grustream.serde.ConfluentRegistryError;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import dev.grustream.topology.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of an instance whose stream thread died of an exception: a new thread, so that work resumes
 * from the last commit, or a clean stop of the instance, when a new thread would only fail the same way forever.
 *
 * <p>Fatal, the instance stops: its state directory cannot be written or read (a full disk, a directory it may not
 * write, RocksDB refusing to open: a {@link ProcessorStateException} in the cause chain); Kafka refused its credentials
 * or permissions ({@link AuthenticationException}, {@link AuthorizationException}); the schema registry refused them
 * (HTTP 401 or 403: a wrong password or bearer token; through Confluent's deserializer too, read as a
 * {@link ConfluentRegistryError}), or its TLS handshake failed (a certificate not trusted or not naming the registry's
 * host). None of these heals by retrying, and each retry of a full disk would restore state onto
 * the same disk. Stopping moves the instance's partitions to the application's other instances, and its liveness
 * endpoint and exit code tell an orchestrator. Also fatal: the JVM failing ({@link VirtualMachineError}, such as an
 * out-of-memory), after which nothing in it can be trusted; and more than {@value #MAX_REPLACEMENTS_PER_THREAD}
 * replacements per stream thread within {@link #REPLACEMENT_WINDOW} of failures that are not outages: a failure that
 * repeats at every retry (an output the brokers or the registry refuse each time), whose new threads would otherwise
 * rebalance the group without end while liveness stays up. Outages (the registry unreachable, a retriable Kafka error)
 * are not counted: they end by themselves, however long they last. Everything else gets a new thread.
 *
 * <p>Counts the threads it replaces in {@code gru.stream.threads.replaced} tagged {@code cause=outage|failure}, so
 * that an outage that lasts (or a retriable error that is in fact permanent) shows as a steady rate of replacements
 * on an instance whose liveness stays up. Keeps the times of its recent replacements; thread-safe.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);
    private static final int UNAUTHORIZED = 401;
    private static final int FORBIDDEN = 403;

    static final int MAX_REPLACEMENTS_PER_THREAD = 10;
    static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(10);

    private final String stateDir;
    private final int maxReplacements;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();
    private final Counter outageReplacements;
    private final Counter failureReplacements;

    /**
     * @param stateDir the configured {@code state.dir}, for the message when it fails
     * @param threads the configured {@code num.stream.threads}, all of which one failure may kill at once
     * @param clock the clock replacements are timed with
     * @param meters where the replacements are counted
     */
    StreamThreadFailures(String stateDir, int threads, Clock clock, MeterRegistry meters) {
        this.stateDir = stateDir;
        this.maxReplacements = MAX_REPLACEMENTS_PER_THREAD * Math.max(threads, 1);
        this.clock = clock;
        this.outageReplacements = replaced(meters, "outage");
        this.failureReplacements = replaced(meters, "failure");
    }

    private static Counter replaced(MeterRegistry meters, String cause) {
        return Counter.builder("gru.stream.threads.replaced").tag("cause", cause)
                .description("Stream threads that died and were replaced, by cause: an outage (not counted toward"
                        + " stopping the instance) or another failure").register(meters);
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        boolean outage = outage(exception);
        Optional<String> fatal = fatalCause(exception).or(() -> outage ? Optional.empty() : tooManyReplacements());
        if (fatal.isPresent()) {
            LOG.error("Stopping this instance: {}. Its partitions move to the application's other instances.",
                    fatal.get(), exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        (outage ? outageReplacements : failureReplacements).increment();
        if (outage) {
            // Once per thread every few seconds while the outage lasts, and the stack says nothing the cause does not.
            LOG.warn("A stream thread stopped on an outage ({}); replacing it, work resumes from the last commit",
                    DeadLetters.causeLine(exception, SchemaRegistryUnavailableException.class,
                            RetriableException.class));
        } else {
            LOG.error("A stream thread died; replacing it, work resumes from the last commit", exception);
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Whether {@code exception} comes of something unreachable for a while, which a later retry outlasts. */
    private static boolean outage(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryUnavailableException || t instanceof RetriableException) {
                return true;
            }
        }
        return ConfluentRegistryError.in(exception).filter(ConfluentRegistryError::unavailable).isPresent();
    }

    /** Counts one more replacement; says why there is none to be had if it is one too many in the window. */
    private synchronized Optional<String> tooManyReplacements() {
        Instant now = clock.instant();
        while (!replacements.isEmpty() && replacements.peekFirst().isBefore(now.minus(REPLACEMENT_WINDOW))) {
            replacements.removeFirst();
        }
        replacements.addLast(now);
        if (replacements.size() <= maxReplacements) {
            return Optional.empty();
        }
        return Optional.of("stream threads died " + replacements.size() + " times within "
                + REPLACEMENT_WINDOW.toMinutes() + " minutes; each new thread fails the same way (the last error is"
                + " below)");
    }

    /** Why retrying {@code exception} on a new thread cannot help, or empty if it may. */
    Optional<String> fatalCause(Throwable exception) {
        if (ConfluentRegistryError.in(exception).filter(ConfluentRegistryError::refused).isPresent()) {
            return Optional.of("the schema registry refused the requests of Confluent's client: "
                    + deepestMessage(exception) + ". Check basic.auth.* or bearer.auth.*");
        }
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof VirtualMachineError) {
                return Optional.of("the JVM failed: " + t + ". Nothing in it can be trusted any more; restart it");
            }
            if (t instanceof ProcessorStateException) {
                return Optional.of("its state directory (state.dir = " + stateDir + ") cannot be used: "
                        + deepestMessage(t) + ". Free space or repair the directory, then restart the instance");
            }
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return Optional.of("Kafka refused its credentials or permissions: " + t.getMessage()
                        + ". Check security.protocol, sasl.*, ssl.* and the ACLs");
            }
            if (t instanceof SchemaRegistryUnavailableException) {
                // An outage, whatever the last URL's failure under it was: a new thread retries.
                return Optional.empty();
            }
            if (t instanceof SchemaRegistryException registry) {
                if (registry.status() == UNAUTHORIZED || registry.status() == FORBIDDEN) {
                    return Optional.of("the schema registry refused its requests: " + t.getMessage()
                            + ". Check basic.auth.* or bearer.auth.*");
                }
                if (registry.getCause() instanceof SSLException) {
                    return Optional.of(t.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** The message of the innermost cause that has one: for I/O errors, the one that names the file and errno. */
    static String deepestMessage(Throwable exception) {
        String message = exception.getMessage();
        for (Throwable t = exception.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
