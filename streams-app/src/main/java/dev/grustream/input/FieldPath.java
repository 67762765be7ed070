package dev.grustream.input;

import java.util.Arrays;
import java.util.List;

/**
 * Where a value lies in an input record: field names from the top level down, written with dots
 * ({@code metrics.cpu} is the field {@code cpu} of the object in the field {@code metrics}; the readers also find a
 * key that holds the dots itself, {@code "metrics.cpu"}, where no nested object answers). Immutable.
 */
public record FieldPath(List<String> names) {

    public FieldPath {
        names = List.copyOf(names);
        if (names.isEmpty() || names.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a field path needs one or more non-empty names, found " + names);
        }
    }

    /**
     * Reads a dotted path.
     *
     * @throws IllegalArgumentException if it is empty or has an empty name ({@code a..b}, {@code .a})
     */
    public static FieldPath parse(String dotted) {
        if (dotted.isBlank()) {
            throw new IllegalArgumentException("a field path must not be empty");
        }
        List<String> names = Arrays.asList(dotted.trim().split("\\.", -1));
        if (names.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("'" + dotted + "' has an empty field name");
        }
        return new FieldPath(names);
    }

    /**
     * The names from {@code from} (inclusive) to {@code to} (exclusive) joined by their dots: the key a record holding
     * dots in its keys ({@code "host.name"}) would use for them.
     */
    public String span(int from, int to) {
        return to == from + 1 ? names.get(from) : String.join(".", names.subList(from, to));
    }

    @Override
    public String toString() {
        return String.join(".", names);
    }
}
