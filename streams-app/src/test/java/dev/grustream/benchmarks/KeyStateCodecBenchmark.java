package dev.grustream.benchmarks;

import dev.grustream.forecast.Event;
import dev.grustream.forecast.ForecastRules;
import dev.grustream.forecast.Forecaster;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateCodec;
import dev.grustream.forecast.Outcome;
import dev.grustream.forecast.Refusal;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of writing and reading one key's stored state (a learnt key at the defaults, about 3.7 KiB): the state store
 * serialises it on every update, so this is paid once per record.
 * Run with {@code src/bench/model-step.sh KeyStateCodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeyStateCodecBenchmark {
    private KeyState state;
    private byte[] bytes;

    @Setup
    public void setUp() {
        state = learntKey();
        bytes = KeyStateCodec.encode(state);
    }

    /** The events {@link #learntKey} learnt from. */
    static final int LEARNT_EVENTS = 2_000;

    /** Outcomes the benchmarks drop, but for a refusal, which none of them expects. */
    static final Forecaster.Outcomes DROPPED = new Forecaster.Outcomes() {
        @Override
        public void accepted(int index, Outcome outcome) {
        }

        @Override
        public void refused(int index, Refusal refusal, String message) {
            throw new IllegalStateException(message);
        }
    };

    /** The {@code i}-th event of the benchmarks' key "k": five minutes apart, a cycle with a little saw-tooth. */
    static Event event(long i) {
        return new Event("k", i * 300_000L, Map.of("value", Math.sin(i / 12.0) + (i % 7) * 0.1));
    }

    /** A key's state after its first {@link #LEARNT_EVENTS} events at the defaults, with the bundled model. */
    static KeyState learntKey() {
        GruModel model = ModelSource.bundled();
        KeyState[] learnt = new KeyState[1];
        try (Forecaster forecaster = new Forecaster(ForecastRules.defaults(), Backend.JAVA, 1)) {
            for (int i = 0; i < LEARNT_EVENTS; i++) {
                learnt[0] = forecaster.advance(List.of(event(i)), model, key -> learnt[0], DROPPED).get("k");
            }
        }
        return learnt[0];
    }

    @Benchmark
    public byte[] encode() {
        return KeyStateCodec.encode(state);
    }

    @Benchmark
    public KeyState decode() {
        return KeyStateCodec.decode(bytes);
    }
}
