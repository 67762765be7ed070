package dev.grustream.serde;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Confluent's compatibility levels, which decide whether a subject accepts a new schema version, judged with Avro's
 * own {@link SchemaCompatibility}. The in-process registries ({@code mock://} and
 * {@link InMemorySchemaRegistryServer}) use {@link #BACKWARD} unless told otherwise, like Confluent's. Immutable;
 * thread-safe.
 */
public enum CompatibilityLevel {
    /** Any schema is accepted. */
    NONE(false, false, false),
    /** The new schema can read data written with the latest version. */
    BACKWARD(true, false, false),
    /** The new schema can read data written with every earlier version. */
    BACKWARD_TRANSITIVE(true, false, true),
    /** The latest version can read data written with the new schema. */
    FORWARD(false, true, false),
    /** Every earlier version can read data written with the new schema. */
    FORWARD_TRANSITIVE(false, true, true),
    /** Both {@link #BACKWARD} and {@link #FORWARD}. */
    FULL(true, true, false),
    /** Both {@link #BACKWARD_TRANSITIVE} and {@link #FORWARD_TRANSITIVE}. */
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * Returns why {@code candidate} may not follow {@code previous} (oldest first) under this level, one line per
     * incompatibility; an empty list when it may.
     */
    public List<String> violations(Schema candidate, List<Schema> previous) {
        List<String> found = new ArrayList<>();
        if (previous.isEmpty()) {
            return found;
        }
        List<Schema> checked = transitive ? previous : previous.subList(previous.size() - 1, previous.size());
        for (Schema earlier : checked) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, earlier),
                        "new schema cannot read data written with an earlier one", found);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(earlier, candidate),
                        "an earlier schema cannot read data written with the new one", found);
            }
        }
        return found;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String what, List<String> into) {
        for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            into.add(what + ": " + incompatibility.getType() + " at " + incompatibility.getLocation() + ": "
                    + incompatibility.getMessage());
        }
    }
}
