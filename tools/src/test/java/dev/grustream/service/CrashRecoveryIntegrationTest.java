package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.grustream.avro.Forecast;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelWriter;
import dev.grustream.model.RandomModels;
import dev.grustream.testing.ChildJvm;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.UninterruptedRun;
import dev.grustream.topology.GruStreamTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application JVM is killed with SIGKILL while its batch buffer holds observations whose input offsets were
 * already committed, then restarted: the forecasts read with read_committed must be exactly those of an
 * uninterrupted run. The buffer lingers for two seconds and commits run every 50 ms, so at the kill the last
 * commit almost surely included buffered observations; the test checks that the restarted instance recovered some.
 * The model's forecasts depend on each key's GRU state and every key learns online, so a restart that lost any
 * key's state would change its later forecasts: {@link #theComparisonCatchesARestartThatLostTheKeysStates} runs the
 * same scenario with the states dropped at the restart, or only their GRU hidden states zeroed (a fault switch), and
 * sees the comparison fail.
 */
@Tag("integration")
@Timeout(600)
class CrashRecoveryIntegrationTest {
    private static final int KEYS = 20;
    private static final int STEPS = 300;
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2025-12-01T00:00:00Z").toEpochMilli();
    private static final GruModel MODEL = RandomModels.randomPerKey(8, 1, 3);
    private static final Pattern RECOVERED = Pattern.compile("recovered (\\d+) buffered observations");

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    static List<Input> inputs() {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            for (int k = 0; k < KEYS; k++) {
                double value = 10 + k + Math.sin((i + k) / 6.0) + 0.1 * Math.cos(i * 1.3 + k);
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, value)));
            }
        }
        return inputs;
    }

    @Test
    void exactlyOnceRunKilledMidBatchWritesExactlyTheUninterruptedForecasts() throws Exception {
        List<Input> inputs = inputs();
        Outcome outcome = killAndRestart(StreamsConfig.EXACTLY_ONCE_V2, inputs);

        assertThat(outcome.recovered).as("observations recovered from the batch buffer").isPositive();
        assertThat(outcome.duplicates).as("forecasts written twice").isZero();
        Map<String, Forecast> uninterrupted = UninterruptedRun.forecasts(MODEL, inputs);
        assertThat(outcome.forecasts.keySet()).isEqualTo(uninterrupted.keySet());
        assertThat(outcome.forecasts).isEqualTo(uninterrupted);
    }

    @Test
    void atLeastOnceRunKilledMidBatchLosesNothingBeforeOrAfterTheKill() throws Exception {
        List<Input> inputs = inputs();
        Outcome outcome = killAndRestart(StreamsConfig.AT_LEAST_ONCE, inputs);

        System.out.printf("at_least_once after SIGKILL: %d forecasts (%d observations produced before the kill, %d"
                + " after), %d duplicates, %d recovered from the buffer%n", outcome.forecasts.size(),
                outcome.producedBeforeKill, inputs.size() - outcome.producedBeforeKill, outcome.duplicates,
                outcome.recovered);
        assertThat(outcome.recovered).as("observations recovered from the batch buffer").isPositive();
        assertThat(outcome.forecasts).isEqualTo(UninterruptedRun.forecasts(MODEL, inputs));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"true", "hidden"})
    void theComparisonCatchesARestartThatLostTheKeysStates(String lost) throws Exception {
        List<Input> inputs = inputs();
        Outcome outcome = killAndRestart(StreamsConfig.EXACTLY_ONCE_V2, inputs,
                List.of("-D" + GruStreamTopology.FORGET_STATE_FAULT + "=" + lost));

        Map<String, Forecast> uninterrupted = UninterruptedRun.forecasts(MODEL, inputs);
        assertThat(outcome.forecasts.keySet()).isEqualTo(uninterrupted.keySet());
        long differing = uninterrupted.keySet().stream()
                .filter(id -> !uninterrupted.get(id).equals(outcome.forecasts.get(id))).count();
        System.out.printf("with the keys' states dropped (%s) at the restart, %d of %d forecasts differ%n", lost,
                differing, uninterrupted.size());
        assertThat(outcome.forecasts).isNotEqualTo(uninterrupted);
    }

    private record Outcome(Map<String, Forecast> forecasts, int duplicates, int recovered, int producedBeforeKill) {
    }

    private Outcome killAndRestart(String guarantee, List<Input> inputs) throws Exception {
        return killAndRestart(guarantee, inputs, List.of());
    }

    /** @param restartOptions JVM options of the restarted instance */
    private Outcome killAndRestart(String guarantee, List<Input> inputs, List<String> restartOptions)
            throws Exception {
        String id = guarantee.replace('_', '-') + "-" + System.nanoTime();
        String observations = "observations-" + id;
        String forecasts = "forecasts-" + id;
        KAFKA.cluster().createTopics(Map.of(observations, 2, forecasts, 2, "alerts-" + id, 1, "dead-letters-" + id, 1));
        Path model = dir.resolve("model");
        ModelWriter.write(MODEL, model);
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        List<String> args = List.of("run",
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(),
                "--set", "schema.registry.url=" + KAFKA.registry().url(),
                "--set", "application.id=crash-" + id,
                "--set", "state.dir=" + stateDir,
                "--set", "processing.guarantee=" + guarantee,
                "--set", "commit.interval.ms=50",
                "--set", "session.timeout.ms=6000",
                "--set", "heartbeat.interval.ms=1000",
                "--set", "model.path=" + model,
                // No HTTP: with http.port=0 the restarted JVM would advertise another application.server than the
                // killed one, which still holds its place in the group under the same process id (kept in state.dir).
                "--set", "http.enabled=false",
                "--set", "batch.max.size=5000",
                "--set", "batch.linger.ms=2000",
                "--set", "topic.observations=" + observations,
                "--set", "topic.forecasts=" + forecasts,
                "--set", "topic.alerts=alerts-" + id,
                "--set", "topic.dead.letters=dead-letters-" + id);
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());

        // Observations are produced while the first JVM runs (at most nine tenths of them) and the rest only once it
        // has been killed: both those it had taken (committed or not) and those that arrive while no instance runs
        // must get their forecasts.
        CountDownLatch killed = new CountDownLatch(1);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (ChildJvm first = ChildJvm.start(dir.resolve("first.log"), main(), args)) {
            // The buffer holds observations at the kill only if production outlasts the first linger: start it once
            // the JVM has started, so that a slow start-up cannot use up the seconds of production.
            await().atMost(Duration.ofSeconds(120)).until(() -> first.log().contains("Starting gru-stream"));
            Future<Integer> producedBeforeKill = producer.submit(() -> producePaced(kafka, observations, inputs,
                    killed));
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> kafka.forecasts(forecasts, 1, Duration.ofSeconds(1)).size() >= 1);
            await().pollDelay(Duration.ofMillis(700)).until(() -> true);
            first.kill();
            killed.countDown();

            try (ChildJvm second = ChildJvm.start(dir.resolve("second.log"),
                    new ChildJvm.Options(List.of(), restartOptions, Map.of()), main(), args)) {
                int beforeKill = KafkaTestSupport.await(producedBeforeKill);
                List<ConsumerRecord<String, Forecast>> read = kafka.forecasts(forecasts, inputs.size(),
                        Duration.ofSeconds(180));
                second.stop();
                Map<String, Forecast> byId = new HashMap<>();
                int duplicates = 0;
                for (ConsumerRecord<String, Forecast> record : read) {
                    Forecast earlier = byId.putIfAbsent(UninterruptedRun.id(record.value()), record.value());
                    if (earlier != null) {
                        duplicates++;
                        assertThat(record.value()).as("a forecast written twice").isEqualTo(earlier);
                    }
                }
                return new Outcome(byId, duplicates, recoveredIn(second.log()), beforeKill);
            }
        } finally {
            producer.shutdownNow();
            Utils.delete(stateDir.toFile());
        }
    }

    /**
     * Produces the inputs at about 1,000 per second, so that the application is mid-stream when it is killed: until
     * {@code killed} is counted down (or nine tenths are written, then it waits for it), then the rest. The buffer
     * holds observations at the kill only if they still come after the first instance's first forecast, which a slow
     * start-up may delay by seconds: until 2026-12-07 production paused at two thirds, four seconds in. Returns how
     * many were produced before the kill.
     */
    private static int producePaced(KafkaTestSupport kafka, String topic, List<Input> inputs, CountDownLatch killed)
            throws InterruptedException {
        int beforeKill = -1;
        for (int from = 0; from < inputs.size(); from += 100) {
            if (beforeKill < 0 && (killed.getCount() == 0 || from >= inputs.size() * 9 / 10)) {
                killed.await();
                beforeKill = from;
            }
            kafka.produce(topic, inputs.subList(from, Math.min(inputs.size(), from + 100)));
            Thread.sleep(100);
        }
        return beforeKill;
    }

    private static int recoveredIn(String log) {
        int recovered = 0;
        Matcher matcher = RECOVERED.matcher(log);
        while (matcher.find()) {
            recovered += Integer.parseInt(matcher.group(1));
        }
        return recovered;
    }

    private static String main() {
        return dev.grustream.cli.GruStreamCommand.class.getName();
    }
}
