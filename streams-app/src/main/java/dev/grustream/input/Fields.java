package dev.grustream.input;

/** A decoded value whose fields can be looked up by path: what the {@link ObservationMapper} reads from. */
interface Fields {
    /**
     * The value at {@code path}: a {@link String}, a {@link Number}, a {@link Boolean}, a {@link java.time.Instant}
     * (a field typed as a time), or {@link #COMPOSITE} for an object, array or bytes; {@link #INSIDE_ARRAY} when the
     * path meets an array before its last name and no other reading of its dots finds a value; null when a field on
     * the path is absent or null.
     */
    Object at(FieldPath path);

    /** What {@link #at} returns for a value that is not a single value. */
    Object COMPOSITE = new Object() {
        @Override
        public String toString() {
            return "an object or array";
        }
    };

    /** What {@link #at} returns for a path that would have to enter an array, which paths cannot. */
    Object INSIDE_ARRAY = new Object() {
        @Override
        public String toString() {
            return "inside an array, which a path cannot enter (it goes through objects, records and maps by name)";
        }
    };
}
