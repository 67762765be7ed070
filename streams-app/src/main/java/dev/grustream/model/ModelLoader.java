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
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads a gru-stream model (format v1 or v2) from a directory or from a {@code .zip} of one.
 *
 * <p>A model is {@code model.json} (see {@link ModelSpec}) plus float32 NumPy arrays named and shaped like the
 * state_dict of PyTorch's {@code nn.GRU}: for each layer k, {@code weight_ih_l{k}.npy} [3H, in_k],
 * {@code weight_hh_l{k}.npy} [3H, H], {@code bias_ih_l{k}.npy} [3H], {@code bias_hh_l{k}.npy} [3H]; and the head
 * {@code head_weight.npy} [S, H], {@code head_bias.npy} [S], S = T for a one-step or recursive head and
 * horizon * T (step-major) for a direct one. A zip may hold these files at its root or inside
 * one directory. Everything is validated before a model is returned; the first problem found is reported. Other
 * files are never read, but a GRU array the model would not use is refused by its name: a bidirectional GRU's
 * {@code *_reverse} arrays, or a layer beyond {@code num_layers}, which would otherwise load and run without it.
 *
 * <p>{@code GruModel model = ModelLoader.load(Path.of("models/latency-v3.zip"));}
 *
 * <p>Stateless; thread-safe.
 */
public final class ModelLoader {
    /** Most bytes {@code model.json} may take: it holds names, shapes and a few numbers. */
    static final int MAX_SPEC_BYTES = 1 << 20;
    /** Room for an {@code .npy} file's magic string, version and header, besides its values. */
    static final int NPY_HEADER_ALLOWANCE = 1 << 16;
    /**
     * Most bytes a model's arrays may take together, 16 million float32 values: the shapes come from the model's own
     * {@code model.json}, so without a bound of its own a small zip could claim a huge model of zeros.
     */
    static final long MAX_MODEL_BYTES = 64L << 20;
    /**
     * The most hidden-state values (layers times units) a model may give each key: every key stores them, and each
     * task keeps up to a batch of them decoded (beyond those {@code state.cache.max.bytes} bounds), so a model within
     * the size bound but of thousands of thin layers would still exhaust the heap.
     */
    static final int MAX_HIDDEN_VALUES = 4096;
    /** A GRU layer's array, as PyTorch names it: its layer, and {@code _reverse} for a bidirectional one's. */
    private static final Pattern LAYER_ARRAY =
            Pattern.compile("(?:weight|bias)_(?:ih|hh)_l(\\d{1,9})(_reverse)?\\.npy");

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
            return load(new ModelFiles() {
                @Override
                public byte[] read(String name, long maxBytes) throws IOException {
                    return readFromDirectory(path, name, maxBytes);
                }

                @Override
                public List<String> names() throws IOException {
                    try (Stream<Path> files = Files.list(path)) {
                        return files.map(file -> file.getFileName().toString()).toList();
                    }
                }
            });
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".zip")) {
            return loadZip(path, path.toString());
        }
        throw new ModelFormatException(path + ": expected a model directory or a .zip file, found "
                + (Files.exists(path) ? "another kind of file" : "nothing"));
    }

    /**
     * Loads the model zip at {@code path}, calling it {@code zipName} in messages (a temporary copy's path would mean
     * nothing to whoever reads them).
     *
     * @throws ModelFormatException if it is not a zip, or a file is missing or malformed
     * @throws IOException if reading fails
     */
    public static GruModel loadZip(Path path, String zipName) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new ModelFormatException(zipName + ": not a readable zip of a model (" + ModelJson.FILE
                    + " and its .npy arrays): " + e.getMessage(), e);
        }
        try (zip) {
            String prefix = modelDirectory(zip, zipName);
            return load(new ModelFiles() {
                @Override
                public byte[] read(String name, long maxBytes) throws IOException {
                    return readFromZip(zip, zipName, prefix + name, name, maxBytes);
                }

                @Override
                public List<String> names() {
                    return zip.stream().map(ZipEntry::getName).filter(name -> name.startsWith(prefix))
                            .map(name -> name.substring(prefix.length())).toList();
                }
            });
        }
    }

    /**
     * Reads one named file of a model, refusing it when it holds more than {@code maxBytes}, before reading more:
     * a zip entry of a few kilobytes can unpack to gigabytes, and a model offered on the model topic must not be
     * able to exhaust the heap of every instance that reads it.
     */
    private interface ModelFiles {
        byte[] read(String name, long maxBytes) throws IOException;

        /** The names of the model's files (those beside {@code model.json}), none of them read. */
        List<String> names() throws IOException;
    }

    private static GruModel load(ModelFiles files) throws IOException {
        ModelSpec spec = ModelJson.parse(files.read(ModelJson.FILE, MAX_SPEC_BYTES));
        requireModestSize(spec);
        refuseUnusedLayers(spec, files.names());
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

    /**
     * Refuses a model whose arrays would take more than {@link #MAX_MODEL_BYTES}, or whose hidden state per key would
     * hold more than {@link #MAX_HIDDEN_VALUES} values, before any array is read: every loader does, so {@code train}
     * checks a shape with it before training one.
     */
    public static void requireModestSize(ModelSpec spec) throws ModelFormatException {
        // In double: hidden sizes and inputs near Integer.MAX_VALUE would overflow a long's products. In closed form
        // (the first layer reads the inputs, the others the layer below): num_layers may be near Integer.MAX_VALUE.
        double h = spec.hiddenSize();
        double values = (double) spec.headSize() * (h + 1) + 3 * h * (spec.inputSize(0) + h + 2)
                + (spec.numLayers() - 1.0) * 3 * h * (2 * h + 2);
        if (values * Float.BYTES > MAX_MODEL_BYTES) {
            throw new ModelFormatException(ModelJson.FILE + ": its arrays would hold "
                    + String.format(Locale.ROOT, "%.3g", values) + " values, more than the " + MAX_MODEL_BYTES
                    + " bytes a model's arrays may take");
        }
        if ((double) spec.numLayers() * h > MAX_HIDDEN_VALUES) {
            throw new ModelFormatException(ModelJson.FILE + ": " + spec.numLayers() + " layers of " + spec.hiddenSize()
                    + " units would give every key a hidden state of more than the " + MAX_HIDDEN_VALUES
                    + " values a model may");
        }
    }

    /**
     * Refuses GRU arrays the model would not use (named as PyTorch's {@code state_dict} names them): loading the
     * others alone runs another network than the one trained, without a word.
     */
    private static void refuseUnusedLayers(ModelSpec spec, List<String> names) throws ModelFormatException {
        for (String name : names) {
            Matcher layerArray = LAYER_ARRAY.matcher(name);
            if (!layerArray.matches()) {
                continue;
            }
            if (layerArray.group(2) != null) {
                throw new ModelFormatException(name + ": an array of a bidirectional GRU's reverse direction, which"
                        + " gru-stream does not run (it steps forward through time); export a unidirectional GRU");
            }
            int layer = Integer.parseInt(layerArray.group(1));
            if (layer >= spec.numLayers()) {
                throw new ModelFormatException(name + ": an array of layer " + layer + ", but " + ModelJson.FILE
                        + " has num_layers " + spec.numLayers() + ": the model would run without it");
            }
        }
    }

    /** Reads a float32 array, checking its shape against {@code expected} and that every value is finite. */
    private static float[] weights(ModelFiles files, String name, int... expected) throws IOException {
        long count = 1;
        for (int dimension : expected) {
            count *= dimension;
        }
        Npy.Array array = Npy.read(name, files.read(name, NPY_HEADER_ALLOWANCE + Float.BYTES * count));
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

    private static byte[] readFromDirectory(Path directory, String name, long maxBytes) throws IOException {
        Path file = directory.resolve(name);
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A pipe or a device (or a link to one) reports no size and may never end.
            throw new ModelFormatException(name + ": not a regular file in " + directory);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readAtMost(in, name, maxBytes);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(name + ": missing from " + directory, e);
        }
    }

    private static byte[] readFromZip(ZipFile zip, String zipName, String entryName, String name, long maxBytes)
            throws IOException {
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null || entry.isDirectory()) {
            throw new ModelFormatException(name + ": missing from " + zipName);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return readAtMost(in, name, maxBytes);
        }
    }

    private static byte[] readAtMost(InputStream in, String name, long maxBytes) throws IOException {
        // readNBytes grows its buffer as bytes arrive: a lying entry, or a file that grows as it is read, costs what
        // it really holds, up to the bound.
        byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > maxBytes) {
            throw tooLarge(name, maxBytes);
        }
        return bytes;
    }

    private static ModelFormatException tooLarge(String name, long maxBytes) {
        return new ModelFormatException(name + ": larger than the " + maxBytes + " bytes "
                + (name.equals(ModelJson.FILE) ? "a model's description may take" : "its shape allows"));
    }

    /**
     * Where {@code model.json} is in the zip: the root ({@code ""}) or one top-level directory ({@code "name/"}),
     * whose files are the model's. Other entries are never read.
     */
    private static String modelDirectory(ZipFile zip, String zipName) throws ModelFormatException {
        List<String> specs = zip.stream()
                .map(ZipEntry::getName)
                .filter(name -> name.equals(ModelJson.FILE) || name.endsWith("/" + ModelJson.FILE))
                .filter(name -> name.indexOf('/') == name.lastIndexOf('/'))
                .sorted()
                .toList();
        if (specs.size() != 1) {
            throw new ModelFormatException(zipName + ": expected one " + ModelJson.FILE
                    + " at the root or in one top-level directory, found " + (specs.isEmpty() ? "none" : specs));
        }
        return specs.get(0).substring(0, specs.get(0).length() - ModelJson.FILE.length());
    }
}
