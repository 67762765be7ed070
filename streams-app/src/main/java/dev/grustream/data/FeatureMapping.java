package dev.grustream.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which CSV column holds which model feature. By default a feature is read from the column of the same name;
 * {@code parse("value=cpu_pct")} reads feature {@code value} from column {@code cpu_pct}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FeatureMapping {
    private final Map<String, String> columnByFeature;

    private FeatureMapping(Map<String, String> columnByFeature) {
        this.columnByFeature = Collections.unmodifiableMap(new LinkedHashMap<>(columnByFeature));
    }

    /** Each feature read from the column of its own name. */
    public static FeatureMapping identity(List<String> features) {
        Map<String, String> mapping = new LinkedHashMap<>();
        features.forEach(feature -> mapping.put(feature, feature));
        return new FeatureMapping(mapping);
    }

    /**
     * Parses {@code feature=column} pairs separated by commas (a bare {@code name} maps to itself); features the
     * spec does not mention are read from the column of their own name.
     *
     * @throws IllegalArgumentException naming the unknown feature or the malformed pair
     */
    public static FeatureMapping parse(String spec, List<String> features) {
        Map<String, String> mapping = new LinkedHashMap<>();
        features.forEach(feature -> mapping.put(feature, feature));
        if (spec == null || spec.isBlank()) {
            return new FeatureMapping(mapping);
        }
        for (String pair : spec.split(",")) {
            String[] parts = pair.trim().split("=", 2);
            String feature = parts[0].trim();
            String column = parts.length == 2 ? parts[1].trim() : feature;
            if (feature.isEmpty() || column.isEmpty()) {
                throw new IllegalArgumentException("'" + pair + "' is not a feature=column pair");
            }
            if (!mapping.containsKey(feature)) {
                throw new IllegalArgumentException("'" + feature + "' is not a feature of the model; its features"
                        + " are " + features);
            }
            mapping.put(feature, column);
        }
        return new FeatureMapping(mapping);
    }

    /** The column feature {@code feature} is read from. */
    public String columnOf(String feature) {
        return columnByFeature.get(feature);
    }

    /** Feature to column, in feature order. */
    public Map<String, String> columns() {
        return columnByFeature;
    }
}
