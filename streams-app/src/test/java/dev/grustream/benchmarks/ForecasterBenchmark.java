package dev.grustream.benchmarks;

import dev.grustream.forecast.ForecastRules;
import dev.grustream.forecast.Forecaster;
import dev.grustream.forecast.KeyState;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.service.ModelSource;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one event of one learnt key through the forecasting core at the defaults, with the bundled model: the
 * checks, the GRU step, the learner's update and forecast, the intervals and the anomaly score; no Kafka, no codec.
 * Run with {@code src/bench/model-step.sh ForecasterBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ForecasterBenchmark {
    private final GruModel model = ModelSource.bundled();
    private Forecaster forecaster;
    private KeyState state;
    private long event;

    @Setup
    public void setUp() {
        forecaster = new Forecaster(ForecastRules.defaults(), Backend.JAVA, 1);
        state = KeyStateCodecBenchmark.learntKey();
        event = KeyStateCodecBenchmark.LEARNT_EVENTS;
    }

    @TearDown
    public void tearDown() {
        forecaster.close();
    }

    @Benchmark
    public KeyState advance() {
        state = forecaster.advance(List.of(KeyStateCodecBenchmark.event(event++)), model, key -> state,
                KeyStateCodecBenchmark.DROPPED).get("k");
        return state;
    }
}
