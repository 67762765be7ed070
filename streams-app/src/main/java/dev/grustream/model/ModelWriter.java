package dev.grustream.model;

import dev.grustream.model.internals.ModelJson;
import dev.grustream.model.internals.Npy;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Writes a {@link GruModel} as a gru-stream/model/v1 model directory, the layout {@link ModelLoader} reads.
 *
 * <p>{@code ModelWriter.write(GruModel.of(spec, layers, headWeight, headBias), Path.of("models/latency-v4"));}
 *
 * <p>Stateless; thread-safe (for distinct directories).
 */
public final class ModelWriter {

    private ModelWriter() {
    }

    /**
     * Writes {@code model} into {@code directory}, creating it (and its parents) if needed.
     *
     * @throws DirectoryNotEmptyException if the directory already holds files: a model is never mixed with
     *     the leftovers of another
     * @throws IOException if writing fails
     */
    public static void write(GruModel model, Path directory) throws IOException {
        Files.createDirectories(directory);
        try (Stream<Path> existing = Files.list(directory)) {
            if (existing.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(directory.toString());
            }
        }
        ModelSpec spec = model.spec();
        Files.write(directory.resolve(ModelJson.FILE), ModelJson.write(spec));
        int h = spec.hiddenSize();
        for (int k = 0; k < spec.numLayers(); k++) {
            LayerWeights layer = model.layer(k);
            write(directory, "weight_ih_l" + k, layer.weightIh(), 3 * h, layer.inputSize());
            write(directory, "weight_hh_l" + k, layer.weightHh(), 3 * h, h);
            write(directory, "bias_ih_l" + k, layer.biasIh(), 3 * h);
            write(directory, "bias_hh_l" + k, layer.biasHh(), 3 * h);
        }
        write(directory, "head_weight", model.headWeight(), spec.targetCount(), h);
        write(directory, "head_bias", model.headBias(), spec.targetCount());
    }

    private static void write(Path directory, String name, float[] values, int... shape) throws IOException {
        Files.write(directory.resolve(name + ".npy"), Npy.writeFloat32(shape, values));
    }
}
