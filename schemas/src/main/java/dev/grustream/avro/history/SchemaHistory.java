package dev.grustream.avro.history;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The published versions of gru-stream's Avro schemas, read from {@code dev/grustream/avro/history/<Name>-v<N>.avsc}
 * on the classpath.
 *
 * <p>Every schema that has been released keeps its file here forever: the state store reads old state bytes with
 * the version they were written with, and the compatibility tests check that the current schema reads every one of
 * them. Versions are numbered from 1 without gaps.
 *
 * <p>Stateless and thread-safe.
 */
public final class SchemaHistory {
    private static final String ROOT = "/dev/grustream/avro/history/";

    private SchemaHistory() {
    }

    /**
     * Returns version {@code version} of the named schema.
     *
     * @throws IllegalArgumentException if no such version was published
     */
    public static Schema version(String name, int version) {
        String path = ROOT + name + "-v" + version + ".avsc";
        try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("No published version " + version + " of schema " + name
                        + " (expected the resource " + path + ")");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path, e);
        }
    }

    /** Returns every published version of the named schema, oldest first; empty if none was published. */
    public static List<Schema> versions(String name) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; SchemaHistory.class.getResource(ROOT + name + "-v" + v + ".avsc") != null; v++) {
            versions.add(version(name, v));
        }
        return List.copyOf(versions);
    }

    /** Returns the number of the newest published version of the named schema. */
    public static int latestVersion(String name) {
        int latest = versions(name).size();
        if (latest == 0) {
            throw new IllegalArgumentException("No published version of schema " + name);
        }
        return latest;
    }
}
