package dev.grustream.service;

import static dev.grustream.testing.TopologyHarness.observation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.Forecast;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelWriter;
import dev.grustream.model.RandomModels;
import dev.grustream.testing.ChildJvm;
import dev.grustream.testing.KafkaTestSupport.Input;
import dev.grustream.testing.KafkaTestSupport;
import dev.grustream.testing.SharedKafka;
import dev.grustream.testing.SmallMemtables;
import dev.grustream.testing.TinyFilesystem;
import dev.grustream.testing.UninterruptedRun;
import dev.grustream.topology.DeadLetters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's disk fills up under a running instance (a real one: the instance runs in a JVM of its own
 * whose state directory is a 1 MiB tmpfs, less than its keys' states need). The instance must stop by itself, with
 * an error that says what happened, rather than replace its stream thread again and again; and the state must not be
 * corrupted: an instance started afterwards on a roomy directory writes, under exactly-once, exactly the forecasts of
 * an undisturbed run. A state directory on a read-only filesystem is refused at start, in one line.
 *
 * <p>Before {@code RocksDbSettings}, the instance sometimes hung instead: its stream thread waited inside a RocksDB
 * write for free space that never came. If it hangs again, the test records a thread dump in the child's log, which
 * it keeps.
 */
@Tag("integration")
@Timeout(300)
class StorageFailureIntegrationTest {
    private static final int KEYS = 4_000;
    private static final int STEPS = 20;
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
    private static final GruModel MODEL = RandomModels.randomPerKey(64, 1, 9);
    private static final Pattern REPLACED = Pattern.compile("replacing it");

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aFullDiskStopsTheInstanceWithAClearErrorAndCorruptsNothing() throws Exception {
        Path tiny = dir.resolve("tiny-state");
        List<String> launcher = TinyFilesystem.launcher(tiny, 1).orElse(null);
        Assumptions.assumeTrue(launcher != null, "this machine cannot mount a small filesystem for a child process"
                + " (needs unshare and root or user namespaces)");
        String id = UUID.randomUUID().toString().substring(0, 8);
        KAFKA.cluster().createTopics(Map.of("observations-" + id, 2, "forecasts-" + id, 2, "alerts-" + id, 1,
                "dead-letters-" + id, 1));
        Path model = dir.resolve("model");
        ModelWriter.write(MODEL, model);
        KafkaTestSupport kafka = new KafkaTestSupport(KAFKA.cluster().bootstrapServers(), KAFKA.registry().url());
        List<Input> inputs = inputs();
        kafka.produce("observations-" + id, inputs);

        try (ChildJvm full = ChildJvm.start(dir.resolve("full.log"), new ChildJvm.Options(launcher, List.of(),
                Map.of()), main(), fillingArgs(id, tiny, model))) {
            OptionalInt exit = full.awaitExit(Duration.ofSeconds(180));
            if (exit.isEmpty()) {
                full.dumpThreads();
            }
            String log = full.log();
            assertThat(exit).as("the instance on a full disk stopped by itself; its log (%s):%n%s", dir,
                    tail(log, 6_000)).isPresent();
            assertThat(exit.getAsInt()).as("exit code of run after a fatal error").isEqualTo(1);
            assertThat(log).contains("No space left on device").contains("state.dir");
            assertThat(count(REPLACED, log)).as("stream threads replaced").isZero();
        }

        Path roomy = Files.createDirectories(dir.resolve("roomy-state"));
        try (ChildJvm after = ChildJvm.start(dir.resolve("after.log"), main(), args(id, roomy, model))) {
            long startedAt = System.nanoTime();
            List<ConsumerRecord<String, Forecast>> read = kafka.forecasts("forecasts-" + id, inputs.size(),
                    Duration.ofSeconds(120));
            Map<String, Forecast> expected = UninterruptedRun.forecasts(MODEL, inputs);
            String difference = UninterruptedRun.difference(read, expected);
            System.out.printf("the instance on a roomy disk started; after %.1f s, forecasts %s%n",
                    (System.nanoTime() - startedAt) / 1e9, difference);
            assertThat(after.isAlive()).as("the instance on a roomy disk runs").isTrue();
            after.stop();
            assertThat(kafka.readAllCommitted("dead-letters-" + id, new ByteArrayDeserializer()))
                    .as("dead letters' messages")
                    .extracting(r -> DeadLetters.header(r.headers(), DeadLetters.MESSAGE_HEADER)).isEmpty();
            // The difference last: CI shows the end of a failure's message.
            assertThat(read.size()).as("the instance's log ends (%s):%n%s%nforecasts, none twice: %s", dir,
                    tail(after.log(), 2_000), difference).isEqualTo(inputs.size());
            assertThat(UninterruptedRun.byId(read)).isEqualTo(expected);
        }
    }

    @Test
    void aReadOnlyStateDirectoryStopsTheStartWithOneClearLine() throws Exception {
        Path readOnly = dir.resolve("read-only-state");
        List<String> launcher = TinyFilesystem.readOnlyLauncher(readOnly).orElse(null);
        Assumptions.assumeTrue(launcher != null, "this machine cannot mount a filesystem for a child process"
                + " (needs unshare and root or user namespaces)");
        Path model = dir.resolve("model");
        ModelWriter.write(MODEL, model);

        try (ChildJvm run = ChildJvm.start(dir.resolve("read-only.log"), new ChildJvm.Options(launcher, List.of(),
                Map.of()), main(), args("read-only", readOnly, model))) {
            OptionalInt exit = run.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as("exit code of run on a read-only state directory; its log:%n%s", run.log())
                    .hasValue(2);
            assertThat(run.log()).contains("state.dir = " + readOnly).contains("Read-only file system")
                    .doesNotContain("\tat ");
        }
    }

    private static List<Input> inputs() {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            for (int k = 0; k < KEYS; k++) {
                inputs.add(Input.of("key-" + k, observation(T0 + i * MINUTE, 3 + (k % 17) + Math.sin(i / 3.0 + k))));
            }
        }
        return inputs;
    }

    /**
     * The arguments of an instance whose stores write their files to disk early: the instance on a small disk fills
     * it after little input.
     */
    private List<String> fillingArgs(String id, Path stateDir, Path model) {
        List<String> args = new ArrayList<>(args(id, stateDir, model));
        // 64 KiB memtables: RocksDB writes its files (and fills the disk) after little input. Only here: the instance
        // on a roomy disk is an ordinary one, spared the thousands of small files and their compactions.
        args.addAll(List.of("--set", "rocksdb.config.setter=" + SmallMemtables.class.getName()));
        return args;
    }

    private List<String> args(String id, Path stateDir, Path model) {
        return List.of("run",
                "--set", "bootstrap.servers=" + KAFKA.cluster().bootstrapServers(),
                "--set", "schema.registry.url=" + KAFKA.registry().url(),
                "--set", "application.id=storage-" + id,
                "--set", "state.dir=" + stateDir,
                "--set", "commit.interval.ms=100",
                "--set", "session.timeout.ms=6000",
                "--set", "heartbeat.interval.ms=1000",
                "--set", "model.path=" + model,
                "--set", "http.enabled=false",
                "--set", "topic.observations=observations-" + id,
                "--set", "topic.forecasts=forecasts-" + id,
                "--set", "topic.alerts=alerts-" + id,
                "--set", "topic.dead.letters=dead-letters-" + id);
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static String tail(String log, int chars) {
        return log.length() <= chars ? log : log.substring(log.length() - chars);
    }

    private static String main() {
        return dev.grustream.cli.GruStreamCommand.class.getName();
    }
}
