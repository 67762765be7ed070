package dev.grustream.input;

/** A decoded value whose fields can be looked up by path: what the {@link ObservationMapper} reads from. */
interface Fields {
    /**
     * The value at {@code path}: a {@link String}, a {@link Number}, a {@link Boolean}, a {@link java.time.Instant}
     * (a field typed as a time), or {@link #COMPOSITE} for an object, array or bytes; null when a field on the path is
     * absent or null.
     */
    Object at(FieldPath path);

    /** What {@link #at} returns for a value that is not a single value. */
    Object COMPOSITE = new Object() {
        @Override
        public String toString() {
            return "an object or array";
        }
    };
}
