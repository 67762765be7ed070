package dev.grustream.benchmarks;

import dev.grustream.model.Backend;
import dev.grustream.model.GateVariant;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.LayerWeights;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Cost of one GRU step for a batch of keys: one {@link GruStepper#step} call, in microseconds per call.
 * Divide by {@code batch} for the cost per key ({@code src/bench/model-step.sh} prints that table).
 *
 * <p>Model: 3 features, 2 targets, 1 layer of {@code hidden} units, reset-after (PyTorch's variant), random
 * weights with PyTorch's default scale. States evolve from call to call as they would in the service.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ModelStepBenchmark {

    @Param({"16", "64", "128"})
    int hidden;

    @Param({"1", "16", "256", "1024"})
    int batch;

    @Param({"JAVA", "ND4J"})
    Backend backend;

    @Param({"1"})
    int layers;

    private GruStepper stepper;
    private float[] inputs;
    private float[] states;
    private float[] forecasts;

    @Setup(Level.Trial)
    public void setUp() {
        GruModel model = randomModel(hidden, layers, new Random(42));
        ModelSpec spec = model.spec();
        stepper = model.newStepper(backend);
        Random random = new Random(7);
        inputs = new float[batch * spec.featureCount()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) random.nextGaussian();
        }
        states = new float[batch * spec.stateSize()];
        forecasts = new float[batch * spec.forecastSize()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stepper.close();
    }

    @Benchmark
    public float[] step() {
        stepper.step(batch, inputs, states, forecasts);
        return forecasts;
    }

    static GruModel randomModel(int hidden, int layers, Random random) {
        ModelSpec spec = ModelSpec.builder().name("bench").version("1").features("a", "b", "c").targets("a", "b")
                .hiddenSize(hidden).numLayers(layers).gateVariant(GateVariant.RESET_AFTER)
                .normalization(Normalization.fixed(new double[] {0, 0, 0}, new double[] {1, 1, 1})).build();
        float bound = (float) (1 / Math.sqrt(hidden));
        List<LayerWeights> weights = new ArrayList<>();
        for (int k = 0; k < layers; k++) {
            int in = spec.inputSize(k);
            weights.add(LayerWeights.of(in, hidden, uniform(random, 3 * hidden * in, bound),
                    uniform(random, 3 * hidden * hidden, bound), uniform(random, 3 * hidden, bound),
                    uniform(random, 3 * hidden, bound)));
        }
        return GruModel.of(spec, weights, uniform(random, 2 * hidden, bound), uniform(random, 2, bound));
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return values;
    }
}
