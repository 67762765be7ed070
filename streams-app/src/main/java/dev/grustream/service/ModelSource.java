package dev.grustream.service;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelFormatException;
import dev.grustream.model.ModelLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the model an instance starts with: the directory or zip named by {@code model.path}, or the bundled
 * default model when that is empty; and reads models from zip bytes, as they travel on the models topic.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelSource {
    /** Classpath location of the bundled default model (a zip in the gru-stream model format). */
    public static final String BUNDLED_MODEL = "/dev/grustream/models/default-model.zip";

    private ModelSource() {
    }

    /** Loads the model {@code config} names. */
    public static GruModel load(GruStreamConfig config) {
        String path = config.getString(GruStreamConfig.MODEL_PATH);
        return path.isBlank() ? bundled() : load(Path.of(path));
    }

    /** Says where {@link #load(GruStreamConfig)} takes the model from: {@code file:<path>} or {@code bundled}. */
    public static String describe(GruStreamConfig config) {
        String path = config.getString(GruStreamConfig.MODEL_PATH);
        return path.isBlank() ? "bundled" : "file:" + path;
    }

    /** Loads a model directory or zip, wrapping I/O trouble in an unchecked exception that names the path. */
    public static GruModel load(Path path) {
        try {
            return ModelLoader.load(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model at " + path + ": " + e.getMessage(), e);
        }
    }

    /** Loads the model bundled with gru-stream. */
    public static GruModel bundled() {
        try (InputStream in = ModelSource.class.getResourceAsStream(BUNDLED_MODEL)) {
            if (in == null) {
                throw new IllegalStateException("The bundled model " + BUNDLED_MODEL + " is missing from the"
                        + " classpath; set model.path to a model directory or zip");
            }
            return fromZip(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundled model: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model from the bytes of its zip.
     *
     * @throws ModelFormatException if the bytes are not a valid model zip
     * @throws TemporaryCopyException if the temporary copy the loader reads cannot be written
     */
    public static GruModel fromZip(byte[] zip) throws IOException {
        return fromZip(zip, null);
    }

    /**
     * {@link #fromZip(byte[])} with its temporary copy in {@code directory}, or in {@code java.io.tmpdir} when null.
     *
     * @throws TemporaryCopyException if the copy cannot be written: no fault of the model
     */
    static GruModel fromZip(byte[] zip, Path directory) throws IOException {
        // The loader reads files: the zip goes through a temporary one, deleted at once.
        Path copy;
        try {
            copy = directory == null ? Files.createTempFile("gru-stream-model", ".zip")
                    : Files.createTempFile(directory, "gru-stream-model", ".zip");
        } catch (IOException e) {
            throw new TemporaryCopyException(directory, e);
        }
        try {
            try {
                Files.write(copy, zip);
            } catch (IOException e) {
                throw new TemporaryCopyException(directory, e);
            }
            // The copy is gone by the time anyone reads a reason: name the zip, not the file.
            return ModelLoader.loadZip(copy, "the zip");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("not a readable zip: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * The temporary copy of a model zip could not be written (a read-only or full temporary directory): the model
     * may be fine, this instance cannot load it.
     */
    public static final class TemporaryCopyException extends IOException {
        private static final long serialVersionUID = 1L;

        TemporaryCopyException(Path directory, IOException cause) {
            super("cannot write a temporary copy of the model zip in " + (directory != null ? directory
                    : System.getProperty("java.io.tmpdir") + " (java.io.tmpdir; give the JVM a writable one with"
                    + " -Djava.io.tmpdir=DIR, in GRU_STREAM_JAVA_OPTS)") + ": " + cause, cause);
        }
    }
}
