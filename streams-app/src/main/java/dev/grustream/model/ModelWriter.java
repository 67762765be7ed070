package dev.grustream.model;

import dev.grustream.model.internals.ModelJson;
import dev.grustream.model.internals.Npy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a {@link GruModel} as a gru-stream/model/v1 model directory or zip, the layouts {@link ModelLoader} reads.
 *
 * <p>{@code ModelWriter.write(GruModel.of(spec, layers, headWeight, headBias), Path.of("models/latency-v4"));}
 *
 * <p>Stateless; thread-safe (for distinct destinations).
 */
public final class ModelWriter {

    /** The modification time of every zip entry: fixed, so that the same model always zips to the same bytes. */
    private static final LocalDateTime ZIP_ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private ModelWriter() {
    }

    /**
     * Writes {@code model} into {@code directory}, creating it (and its parents) if needed. Where it can, the files
     * are written into a new directory beside it ({@code NAME.UUID.partial}) that is then moved into place, so that a
     * failed write leaves no files behind to be refused by the next attempt; where it cannot (a directory it may not
     * add to, a link, a file system that refuses the move), they are written in place.
     *
     * @throws DirectoryNotEmptyException if the directory already holds files: a model is never mixed with
     *     the leftovers of another
     * @throws IOException if writing fails
     */
    public static void write(GruModel model, Path directory) throws IOException {
        Path parent = directory.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (holdsFiles(directory)) {
            throw new DirectoryNotEmptyException(directory.toString());
        }
        if (Files.isSymbolicLink(directory) || !Files.isWritable(parent)) {
            writeFiles(model, Files.createDirectories(directory));
            return;
        }
        Path partial = Files.createDirectory(parent.resolve(directory.getFileName() + "." + UUID.randomUUID()
                + ".partial"));
        Exception failure = null;
        try {
            writeFiles(model, partial);
            moveIntoPlace(model, partial, directory);
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                deleteIfThere(partial);
            } catch (IOException | UncheckedIOException cleanup) {
                // A directory left beside a model written whole harms nothing; the write's own failure comes first.
                if (failure != null) {
                    failure.addSuppressed(cleanup);
                }
            }
        }
    }

    /**
     * Moves {@code partial}, which holds {@code model}'s files, to {@code directory}, replacing it if it is there and
     * empty; where the move is refused (a mount point, say), writes the files into {@code directory} in place.
     *
     * @throws DirectoryNotEmptyException if {@code directory} holds files by then: another writer's model got there
     *     first, and the two are never mixed
     */
    static void moveIntoPlace(GruModel model, Path partial, Path directory) throws IOException {
        try {
            Files.move(partial, directory, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException moveRefused) {
            try {
                if (holdsFiles(directory)) {
                    throw new DirectoryNotEmptyException(directory.toString());
                }
                writeFiles(model, Files.createDirectories(directory));
            } catch (IOException | RuntimeException e) {
                e.addSuppressed(moveRefused);
                throw e;
            }
        }
    }

    private static boolean holdsFiles(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> existing = Files.list(directory)) {
            return existing.findAny().isPresent();
        }
    }

    /** Deletes {@code directory} and the files in it, if it is there. */
    private static void deleteIfThere(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }

    /**
     * Writes {@code model}'s files into {@code directory}, each as a new file, in a fixed order.
     *
     * @throws DirectoryNotEmptyException if one is there already: another writer's, which began first, and the two
     *     are never mixed
     */
    static void writeFiles(GruModel model, Path directory) throws IOException {
        for (Map.Entry<String, byte[]> file : files(model).entrySet()) {
            try {
                Files.write(directory.resolve(file.getKey()), file.getValue(), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException taken) {
                DirectoryNotEmptyException refused = new DirectoryNotEmptyException(directory.toString());
                refused.addSuppressed(taken);
                throw refused;
            }
        }
    }

    /**
     * Writes {@code model} as a zip holding the model files at its root, replacing {@code zip} if it exists. Where
     * it can, the zip is written beside it first, under a name of its own ({@code NAME.zip.UUID.partial}), and
     * moved into place, so that a failed write leaves an earlier zip as it was and two writers never write into one
     * file; where it cannot (a directory it may not add to, a link, a mount or file system that refuses the move), it
     * is written in place. A process killed while writing leaves its partial file behind, which may be deleted. The
     * bytes depend only on the model: entries are stored uncompressed, in a fixed order, with a fixed time.
     *
     * @throws IOException if writing fails
     */
    public static void writeZip(GruModel model, Path zip) throws IOException {
        Path parent = zip.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.isSymbolicLink(zip) || !Files.isWritable(parent)) {
            writeZipTo(model, zip);
            return;
        }
        Path partial = newPartialFile(parent, zip.getFileName().toString());
        try {
            // Created as any new file is (the umask's permissions), unlike a temporary file's owner-only ones. A
            // failure to write it leaves the earlier zip as it was.
            writeZipTo(model, partial);
            try {
                Files.move(partial, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException moveRefused) {
                writeZipTo(model, zip);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** A new empty file in {@code parent} named after {@code name}, created with the umask's permissions. */
    private static Path newPartialFile(Path parent, String name) throws IOException {
        return Files.createFile(parent.resolve(name + "." + UUID.randomUUID() + ".partial"));
    }

    private static void writeZipTo(GruModel model, Path zip) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream entries = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : files(model).entrySet()) {
                byte[] bytes = file.getValue();
                CRC32 crc = new CRC32();
                crc.update(bytes);
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                entry.setCrc(crc.getValue());
                entry.setTimeLocal(ZIP_ENTRY_TIME);
                entries.putNextEntry(entry);
                entries.write(bytes);
                entries.closeEntry();
            }
        }
    }

    /**
     * The first 12 hexadecimal digits of the SHA-256 of {@code model}'s files (their names and bytes, in order): the
     * same for the same model, and another for a model with other weights or another shape.
     */
    public static String fingerprint(GruModel model) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
        for (Map.Entry<String, byte[]> file : files(model).entrySet()) {
            digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
            digest.update(file.getValue());
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 6);
    }

    /** The model's files by name, in the order {@code model.json}, then each layer's arrays, then the head's. */
    private static Map<String, byte[]> files(GruModel model) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        ModelSpec spec = model.spec();
        files.put(ModelJson.FILE, ModelJson.write(spec));
        int h = spec.hiddenSize();
        for (int k = 0; k < spec.numLayers(); k++) {
            LayerWeights layer = model.layer(k);
            files.put("weight_ih_l" + k + ".npy", Npy.writeFloat32(new int[] {3 * h, layer.inputSize()},
                    layer.weightIh()));
            files.put("weight_hh_l" + k + ".npy", Npy.writeFloat32(new int[] {3 * h, h}, layer.weightHh()));
            files.put("bias_ih_l" + k + ".npy", Npy.writeFloat32(new int[] {3 * h}, layer.biasIh()));
            files.put("bias_hh_l" + k + ".npy", Npy.writeFloat32(new int[] {3 * h}, layer.biasHh()));
        }
        files.put("head_weight.npy", Npy.writeFloat32(new int[] {spec.headSize(), h}, model.headWeight()));
        files.put("head_bias.npy", Npy.writeFloat32(new int[] {spec.headSize()}, model.headBias()));
        return files;
    }
}
