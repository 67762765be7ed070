package dev.grustream.input;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the records of a topic in a format other than gru-stream's own map onto observations
 * ({@code input.key.fields}, {@code input.time.field}, {@code input.features}). Immutable.
 *
 * @param keyFields the fields whose values, joined with {@code /}, name the series; empty for the record key
 * @param timeField the field of the event time; empty for the record timestamp
 * @param features the field of each feature named here; a feature not named is read from the top-level field of its
 *     own name
 */
public record InputMapping(List<FieldPath> keyFields, Optional<FieldPath> timeField, Map<String, FieldPath> features) {
    /** The series is the record key, the time its timestamp, each feature the top-level field of its name. */
    public static final InputMapping DEFAULT = new InputMapping(List.of(), Optional.empty(), Map.of());

    public InputMapping {
        keyFields = List.copyOf(keyFields);
        features = Map.copyOf(features);
    }

    /**
     * Reads the settings' values.
     *
     * @param keyFields dotted paths, possibly none
     * @param timeField a dotted path, or blank for none
     * @param features {@code feature=path} pairs, possibly none
     * @throws IllegalArgumentException naming what is malformed
     */
    public static InputMapping parse(List<String> keyFields, String timeField, List<String> features) {
        Map<String, FieldPath> paths = new LinkedHashMap<>();
        for (String pair : features) {
            int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new IllegalArgumentException("'" + pair + "' is not FEATURE=PATH");
            }
            String feature = pair.substring(0, equals).trim();
            if (paths.put(feature, FieldPath.parse(pair.substring(equals + 1))) != null) {
                throw new IllegalArgumentException("feature '" + feature + "' is mapped twice");
            }
        }
        return new InputMapping(keyFields.stream().map(FieldPath::parse).toList(),
                timeField.isBlank() ? Optional.empty() : Optional.of(FieldPath.parse(timeField)), paths);
    }

    /**
     * Refuses a mapping that names a feature {@code modelFeatures} does not have: its entry would never be read, and
     * the feature it was meant for would be looked for under its own name (a typo in {@code input.features} would
     * otherwise show only as every record dead-lettered as {@code missing-feature}).
     *
     * @throws IllegalArgumentException naming the unknown features and the model's
     */
    public void checkFeatures(List<String> modelFeatures) {
        List<String> unknown = features.keySet().stream().filter(feature -> !modelFeatures.contains(feature)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("maps " + unknown + ", which the model does not have; its features are "
                    + modelFeatures);
        }
    }

    /** The field each of {@code modelFeatures} is read from. */
    public Map<String, FieldPath> featurePaths(List<String> modelFeatures) {
        Map<String, FieldPath> paths = new LinkedHashMap<>();
        for (String feature : modelFeatures) {
            paths.put(feature, features.getOrDefault(feature, new FieldPath(List.of(feature))));
        }
        return paths;
    }
}
