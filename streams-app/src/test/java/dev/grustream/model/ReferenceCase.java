package dev.grustream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.model.internals.Npy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A test vector written by src/reference/gru_reference.py: a model, raw inputs and float64 expectations. */
final class ReferenceCase {

    static final List<String> NAMES = List.of("after_l1_h4", "after_l3_h16", "after_l1_h64_batch",
            "after_l1_h16_saturating", "before_l1_h16", "before_l3_h64", "after_l2_h16_horizon3",
            "before_l2_h4_horizon2", "keras_after_l2_h16", "keras_before_l2_h8", "direct_after_l2_h5_calendar",
            "direct_before_l1_h6_calendar");

    final String name;
    final Path modelDirectory;
    final GruModel model;
    /** [keys, steps, features], raw units. */
    final Npy.Array inputs;
    /** [keys, steps, horizon, targets], normalised units. */
    final Npy.Array forecasts;
    /** [keys, steps / every, layers * hidden]. */
    final Npy.Array states;
    /** The three arrays' values, decoded once: {@link Npy.Array#values} decodes them at every call. */
    private final double[] inputValues;
    /** [keys, steps] event times in epoch milliseconds, for a model with calendar inputs; else null. */
    private final double[] times;
    private final double[] forecastValues;
    private final double[] stateValues;
    final int checkpointEvery;
    final double float32Drift;

    private ReferenceCase(String name) throws IOException {
        this.name = name;
        Path directory = resource("reference/" + name);
        this.modelDirectory = directory.resolve("model");
        this.model = ModelLoader.load(modelDirectory);
        this.inputs = read(directory, "inputs.npy");
        this.forecasts = read(directory, "forecasts.npy");
        this.states = read(directory, "states.npy");
        this.inputValues = inputs.values();
        this.times = Files.exists(directory.resolve("times.npy")) ? read(directory, "times.npy").values() : null;
        this.forecastValues = forecasts.values();
        this.stateValues = states.values();
        JsonNode info = new ObjectMapper().readTree(directory.resolve("case.json").toFile());
        this.checkpointEvery = info.get("checkpoint_every").intValue();
        this.float32Drift = info.get("float32_drift").doubleValue();
    }

    static ReferenceCase load(String name) throws IOException {
        return new ReferenceCase(name);
    }

    int keys() {
        return inputs.shape()[0];
    }

    int steps() {
        return inputs.shape()[1];
    }

    /**
     * The GRU inputs of every key at {@code step}, [keys, inputCount] row-major, as the service builds them
     * ({@link ModelSpec#writeInputs}): the normalised features, then the calendar inputs of the step's event time.
     */
    float[] normalisedInputs(int step) {
        ModelSpec spec = model.spec();
        int features = spec.featureCount();
        float[] out = new float[keys() * spec.inputCount()];
        for (int key = 0; key < keys(); key++) {
            int row = key * steps() + step;
            double[] raw = Arrays.copyOfRange(inputValues, row * features, (row + 1) * features);
            long eventTime = times == null ? 0 : (long) times[row];
            spec.writeInputs(raw, null, eventTime, out, key * spec.inputCount());
        }
        return out;
    }

    /** Expected forecast of {@code key} after {@code step}: [horizon, targets] flattened. */
    double expectedForecast(int key, int step, int index) {
        int size = model.spec().forecastSize();
        return forecastValues[(key * steps() + step) * size + index];
    }

    /** Expected state of {@code key} at checkpoint {@code checkpoint} (after step (checkpoint + 1) * every). */
    double expectedState(int key, int checkpoint, int index) {
        int size = model.spec().stateSize();
        int checkpoints = states.shape()[1];
        return stateValues[(key * checkpoints + checkpoint) * size + index];
    }

    static Path resource(String name) {
        URL url = ReferenceCase.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " not found; run src/reference/gru_reference.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Npy.Array read(Path directory, String file) throws IOException {
        return Npy.read(file, Files.readAllBytes(directory.resolve(file)));
    }

    @Override
    public String toString() {
        return name;
    }
}
