package dev.grustream.benchmarks;

import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import dev.grustream.topology.GruStreamTopology;
import dev.grustream.topology.internals.KeyStateSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one TTL eviction scan that finds nothing to evict: {@code state.ttl.scan.max.keys} (10,000 by default)
 * learnt keys read from a RocksDB store through the state serde, each judged by its last activity, as the
 * processor's stream-time punctuation does. Run with {@code src/bench/model-step.sh EvictionScanBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EvictionScanBenchmark {
    @Param("10000")
    public int keys;

    private Path directory;
    private KeyValueStore<String, KeyState> store;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("eviction-scan");
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "eviction-scan-benchmark");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(config, new TaskId(0, 0),
                directory.toFile());
        store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GruStreamTopology.STATE_STORE),
                Serdes.String(), new KeyStateSerde()).withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        KeyState learnt = KeyStateCodecBenchmark.learntKey();
        learnt.activeAt(1_767_225_600_000L);
        byte[] bytes = KeyStateCodec.encode(learnt);
        for (int k = 0; k < keys; k++) {
            store.put(String.format(Locale.ROOT, "host-%06d/cpu", k), KeyStateCodec.decode(bytes));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public int scan() {
        int idle = 0;
        try (KeyValueIterator<String, KeyState> iterator = store.all()) {
            while (iterator.hasNext()) {
                KeyValue<String, KeyState> entry = iterator.next();
                if (entry.value == null || 1_767_312_000_000L - entry.value.lastActivity() > 604_800_000L) {
                    idle++;
                }
            }
        }
        return idle;
    }
}
