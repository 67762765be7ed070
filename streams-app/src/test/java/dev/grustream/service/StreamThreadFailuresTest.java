package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import dev.grustream.testing.Logs;
import dev.grustream.testing.MovableClock;
import dev.grustream.topology.BatchFailedException;
import io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** Which failures of a stream thread stop the instance and which get a new thread. */
class StreamThreadFailuresTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StreamThreadFailures failures = new StreamThreadFailures("/var/lib/gru-stream", 1, clock, meters);

    @Test
    void aFullDiskStopsTheInstanceNamingTheStateDirectoryAndTheCause() {
        StreamsException died = new StreamsException("task [0_1] Failed to commit",
                new ProcessorStateException("Error while executing flush from store series-state",
                        new IOException("IO error: No space left on device: While appending to file: 000012.sst")));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.fatalCause(died)).hasValueSatisfying(message -> assertThat(message)
                .contains("state.dir = /var/lib/gru-stream").contains("No space left on device"));
    }

    @Test
    void refusedKafkaCredentialsStopTheInstance() {
        assertThat(failures.handle(new StreamsException(new SaslAuthenticationException("Authentication failed"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.handle(new StreamsException(new TopicAuthorizationException("Not authorized"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void aRegistryThatRefusesTheCredentialsStopsTheInstance() {
        StreamsException died = new StreamsException("Deserialization exception handler is set to fail",
                new SchemaRegistryException("answered GET /schemas/ids/1 with HTTP 401", 401, 40101));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.fatalCause(died)).hasValueSatisfying(message -> assertThat(message)
                .contains("HTTP 401").contains("basic.auth.*").contains("bearer.auth.*"));
    }

    @Test
    void aRegistryThatRefusesConfluentsDeserializerStopsTheInstance() {
        // Confluent's deserializer: a 403 under a SerializationException, a 401 ("error_code": 401) as a config error.
        StreamsException forbidden = new StreamsException(new SerializationException("Error retrieving Avro schema",
                new RestClientException("User cannot access the resource", 403, 40301)));
        StreamsException unauthorized = new StreamsException(
                new InvalidConfigurationException("Unauthorized; error code: 401"));

        assertThat(failures.handle(forbidden)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.handle(unauthorized)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void aRegistryThatCannotAnswerConfluentsDeserializerNowIsAnOutage() {
        StreamsException unavailable = new StreamsException(new SerializationException("Error retrieving Avro schema",
                new RestClientException("Service Unavailable", 503, 50003)));
        StreamsException rateLimited = new StreamsException(
                new InvalidConfigurationException("Too Many Requests; error code: 429"));
        // Confluent's serdes since 2024: a 429 as a throttling exception with no cause.
        StreamsException throttled = new StreamsException(
                new ThrottlingQuotaExceededException("Too Many Requests; error code: 429"));
        for (int i = 0; i < 5 * StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD; i++) {
            assertThat(failures.handle(unavailable)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            assertThat(failures.handle(rateLimited)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            assertThat(failures.handle(throttled)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofSeconds(5));
        }
    }

    @Test
    void anotherConfigurationErrorIsNotFatalAtOnce() {
        StreamsException died = new StreamsException(new InvalidConfigurationException("Not Found; error code: 404"));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void aRegistryWhoseCertificateIsNotTrustedStopsTheInstance() {
        StreamsException died = new StreamsException(new SchemaRegistryException("The TLS handshake with Schema"
                + " Registry https://registry:8081 failed: PKIX path building failed", -1, -1,
                new SSLHandshakeException("PKIX path building failed")));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.fatalCause(died)).hasValueSatisfying(message -> assertThat(message)
                .contains("TLS handshake"));
    }

    @Test
    void anUnreachableRegistryGetsANewThread() {
        StreamsException died = new StreamsException(new SchemaRegistryUnavailableException("no registry answered",
                -1, -1, new IOException("Connection refused")));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void aRegistryWhoseHandshakesWereCutShortGetsANewThread() {
        // As the client reports it: every URL failed, the last one in the TLS handshake.
        StreamsException died = new StreamsException(new SchemaRegistryUnavailableException("no registry answered",
                -1, -1, new SchemaRegistryException("POST /subjects on https://registry:8081 failed", -1, -1,
                        new SSLHandshakeException("Remote host terminated the handshake"))));

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void aFailureThatRepeatsAtEveryRetryStopsTheInstanceAfterTenNewThreads() {
        StreamsException died = new StreamsException(new BatchFailedException("an output the registry refuses",
                new IllegalStateException("subject not found")));
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD; i++) {
            assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofSeconds(5));
        }

        assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void anOutageGetsNewThreadsHoweverOftenTheyDie() {
        StreamsException died = new StreamsException(new SchemaRegistryUnavailableException("no registry answered",
                -1, -1, new IOException("Connection refused")));
        for (int i = 0; i < 5 * StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD; i++) {
            assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofSeconds(5));
        }
    }

    @Test
    void eachStreamThreadHasItsShareOfReplacements() {
        StreamThreadFailures fourThreads = new StreamThreadFailures("/var/lib/gru-stream", 4, clock,
                new SimpleMeterRegistry());
        StreamsException died = new StreamsException(new BatchFailedException("an output the registry refuses",
                new IllegalStateException("subject not found")));
        for (int i = 0; i < 4 * StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD; i++) {
            assertThat(fourThreads.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        }

        assertThat(fourThreads.handle(died)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void replacementsSpreadBeyondTheWindowGetNewThreads() {
        StreamsException died = new StreamsException(new BatchFailedException("a batch failed",
                new IllegalStateException("boom")));
        for (int i = 0; i < 3 * StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD; i++) {
            assertThat(failures.handle(died)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(StreamThreadFailures.REPLACEMENT_WINDOW
                    .dividedBy(StreamThreadFailures.MAX_REPLACEMENTS_PER_THREAD).plusSeconds(1));
        }
    }

    @Test
    void aJvmThatRanOutOfMemoryStopsTheInstance() {
        assertThat(failures.handle(new StreamsException(new OutOfMemoryError("Java heap space"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void aFailedBatchOrATimeoutGetsANewThread() {
        assertThat(failures.handle(new StreamsException(new BatchFailedException("a batch failed",
                new IllegalStateException("boom"))))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(failures.handle(new StreamsException(new TimeoutException("broker away"))))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void replacementsAreCountedByCauseAndAStopIsNot() {
        failures.handle(new StreamsException(new TimeoutException("broker away")));
        failures.handle(new StreamsException(new TimeoutException("broker away")));
        failures.handle(new StreamsException(new BatchFailedException("a batch failed", new IllegalStateException())));
        failures.handle(new StreamsException(new OutOfMemoryError("Java heap space")));

        assertThat(meters.get("gru.stream.threads.replaced").tag("cause", "outage").counter().count()).isEqualTo(2);
        assertThat(meters.get("gru.stream.threads.replaced").tag("cause", "failure").counter().count()).isEqualTo(1);
    }

    @Test
    void anOutageIsWarnedOfInOneLineNamingItsCause() {
        List<ILoggingEvent> logged = Logs.of(StreamThreadFailures.class,
                () -> failures.handle(new StreamsException(new TimeoutException("broker away"))));

        assertThat(logged).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("TimeoutException: broker away");
            assertThat(event.getThrowableProxy()).as("no stack trace").isNull();
        });
    }

    @Test
    void anUnreachableRegistrysLineNamesTheAddressesTriedAndTheRootCause() {
        StreamsException died = new StreamsException(new SchemaRegistryUnavailableException(
                "No schema registry answered: http://registry-1:8081 (Connection refused)", -1, -1,
                new IOException("wrapped", new java.net.ConnectException("Connection refused"))));

        List<ILoggingEvent> logged = Logs.of(StreamThreadFailures.class, () -> failures.handle(died));

        assertThat(logged).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("http://registry-1:8081").contains("caused by java.net.ConnectException");
    }
}
