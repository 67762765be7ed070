package dev.grustream.model;

import dev.grustream.model.internals.ModelJson;
import dev.grustream.model.internals.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads a gru-stream/model/v1 model from a directory or from a {@code .zip} of one.
 *
 * <p>A model is {@code model.json} (see {@link ModelSpec}) plus float32 NumPy arrays named and shaped like the
 * state_dict of PyTorch's {@code nn.GRU}: for each layer k, {@code weight_ih_l{k}.npy} [3H, in_k],
 * {@code weight_hh_l{k}.npy} [3H, H], {@code bias_ih_l{k}.npy} [3H], {@code bias_hh_l{k}.npy} [3H]; and the head
 * {@code head_weight.npy} [S, H], {@code head_bias.npy} [S], S = T for a one-step or recursive head and
 * horizon * T (step-major) for a direct one. A zip may hold these files at its root or inside
 * one directory. Everything is validated before a model is returned; the first problem found is reported.
 *
 * <p>{@code GruModel model = ModelLoader.load(Path.of("models/latency-v3.zip"));}
 *
 * <p>Stateless; thread-safe.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * Loads the model in {@code path}, a directory or a file whose name ends in {@code .zip}.
     *
     * @throws ModelFormatException if a file is missing or malformed, naming it with the expected and found value
     * @throws IOException if reading fails
     */
    public static GruModel load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return load(name -> readFromDirectory(path, name));
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".zip")) {
            Map<String, byte[]> entries = readZip(path);
            return load(name -> {
                byte[] bytes = entries.get(name);
                if (bytes == null) {
                    throw new ModelFormatException(name + ": missing from " + path);
                }
                return bytes;
            });
        }
        throw new ModelFormatException(path + ": expected a model directory or a .zip file, found "
                + (Files.exists(path) ? "another kind of file" : "nothing"));
    }

    /** Reads one named file of a model. */
    @FunctionalInterface
    private interface ModelFiles {
        byte[] read(String name) throws IOException;
    }

    private static GruModel load(ModelFiles files) throws IOException {
        ModelSpec spec = ModelJson.parse(files.read(ModelJson.FILE));
        int h = spec.hiddenSize();
        List<LayerWeights> layers = new ArrayList<>();
        for (int k = 0; k < spec.numLayers(); k++) {
            int in = spec.inputSize(k);
            layers.add(LayerWeights.of(in, h,
                    weights(files, "weight_ih_l" + k + ".npy", 3 * h, in),
                    weights(files, "weight_hh_l" + k + ".npy", 3 * h, h),
                    weights(files, "bias_ih_l" + k + ".npy", 3 * h),
                    weights(files, "bias_hh_l" + k + ".npy", 3 * h)));
        }
        float[] headWeight = weights(files, "head_weight.npy", spec.headSize(), h);
        float[] headBias = weights(files, "head_bias.npy", spec.headSize());
        return GruModel.of(spec, layers, headWeight, headBias);
    }

    /** Reads a float32 array, checking its shape against {@code expected} and that every value is finite. */
    private static float[] weights(ModelFiles files, String name, int... expected) throws IOException {
        Npy.Array array = Npy.read(name, files.read(name));
        if (array.dtype() != Npy.DType.FLOAT32) {
            throw new ModelFormatException(name + ": dtype expected '<f4' (little-endian float32), found '"
                    + array.dtype().descr() + "'");
        }
        if (!Arrays.equals(array.shape(), expected)) {
            throw new ModelFormatException(name + ": shape expected " + Arrays.toString(expected) + ", found "
                    + Arrays.toString(array.shape()));
        }
        float[] values = array.floats();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelFormatException(name + ": expected finite values, found " + values[i]
                        + " at flat index " + i);
            }
        }
        return values;
    }

    private static byte[] readFromDirectory(Path directory, String name) throws IOException {
        try {
            return Files.readAllBytes(directory.resolve(name));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(name + ": missing from " + directory, e);
        }
    }

    /**
     * Reads a zip's files by their name relative to the directory holding {@code model.json}, which may be the
     * root or one level down (a zip of the model directory itself).
     */
    private static Map<String, byte[]> readZip(Path zip) throws IOException {
        Map<String, byte[]> byPath = new HashMap<>();
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                if (!entry.isDirectory()) {
                    byPath.put(entry.getName(), entries.readAllBytes());
                }
            }
        }
        List<String> specs = byPath.keySet().stream()
                .filter(name -> name.equals(ModelJson.FILE) || name.endsWith("/" + ModelJson.FILE))
                .filter(name -> name.indexOf('/') == name.lastIndexOf('/'))
                .sorted()
                .toList();
        if (specs.size() != 1) {
            throw new ModelFormatException(zip + ": expected one " + ModelJson.FILE
                    + " at the root or in one top-level directory, found " + (specs.isEmpty() ? "none" : specs));
        }
        String prefix = specs.get(0).substring(0, specs.get(0).length() - ModelJson.FILE.length());
        Map<String, byte[]> files = new HashMap<>();
        byPath.forEach((name, bytes) -> {
            if (name.startsWith(prefix)) {
                files.put(name.substring(prefix.length()), bytes);
            }
        });
        return files;
    }
}
