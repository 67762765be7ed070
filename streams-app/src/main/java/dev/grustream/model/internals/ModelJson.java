package dev.grustream.model.internals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grustream.model.CalendarFeature;
import dev.grustream.model.GateVariant;
import dev.grustream.model.ModelFormatException;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.MultiStep;
import dev.grustream.model.Normalization;
import dev.grustream.model.PerKeyScaling;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@code model.json}, the {@link ModelSpec} part of a model, in format v1 or v2.
 *
 * <p>Format v2 adds {@code calendar} (names of {@link CalendarFeature}s) and {@code time_zone} (an IANA zone id
 * or a fixed offset such as {@code +05:30}, UTC by default), and its {@code horizon} is forecast directly
 * ({@link MultiStep#DIRECT}); in format v1 a horizon above 1 is recursive. A spec is written in v1 whenever v1 can
 * express it, so that older releases still read it.
 * A v1 file's {@code scoring} object, which no release ever applied, is accepted and ignored.
 *
 * <p>Strict on purpose: unknown fields are refused rather than ignored, at the top level and in
 * {@code normalization}, because a field this version does not know could change what the model computes
 * ({@code normalization.per_key} is such a field: a reader that ignored it would run a per-key model with the
 * fixed scheme). Duplicate keys are refused too.
 *
 * <p>Stateless; thread-safe.
 */
public final class ModelJson {

    /** The file name of the spec inside a model directory. */
    public static final String FILE = "model.json";

    private static final Set<String> COMMON_FIELDS = Set.of("format", "name", "version", "features", "targets",
            "hidden_size", "num_layers", "gate_variant", "normalization", "horizon");
    private static final Set<String> V1_FIELDS = union(COMMON_FIELDS, Set.of("scoring"));
    private static final Set<String> V2_FIELDS = union(COMMON_FIELDS, Set.of("calendar", "time_zone"));
    private static final Set<String> NORMALIZATION_FIELDS = Set.of("mean", "std", "per_key");
    private static final Set<String> PER_KEY_FIELDS = Set.of("halflife", "clip", "min_std_ratio");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ModelJson() {
    }

    /**
     * Parses and validates {@code model.json}.
     *
     * @throws ModelFormatException starting with {@code model.json:}, naming the field, expected and found value
     */
    public static ModelSpec parse(byte[] json) throws ModelFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ModelFormatException(FILE + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(FILE + ": expected a JSON object, found "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        try {
            return toSpec(root);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(FILE + ": " + e.getMessage(), e);
        }
    }

    /** The {@code model.json} bytes for {@code spec} (UTF-8, indented, fields in the documented order). */
    public static byte[] write(ModelSpec spec) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", spec.format());
        root.put("name", spec.name());
        root.put("version", spec.version());
        spec.features().forEach(root.putArray("features")::add);
        spec.targets().forEach(root.putArray("targets")::add);
        root.put("hidden_size", spec.hiddenSize());
        root.put("num_layers", spec.numLayers());
        root.put("gate_variant", spec.gateVariant().jsonName());
        ObjectNode normalization = root.putObject("normalization");
        ArrayNode mean = normalization.putArray("mean");
        ArrayNode std = normalization.putArray("std");
        for (int f = 0; f < spec.featureCount(); f++) {
            mean.add(spec.normalization().mean(f));
            std.add(spec.normalization().std(f));
        }
        spec.normalization().perKey().ifPresent(scaling -> normalization.putObject("per_key")
                .put("halflife", scaling.halflife())
                .put("clip", scaling.clip())
                .put("min_std_ratio", scaling.minStdRatio()));
        root.put("horizon", spec.horizon());
        if (!spec.calendar().isEmpty()) {
            spec.calendar().forEach(feature -> root.withArray("calendar").add(feature.jsonName()));
        }
        if (spec.format().equals(ModelSpec.FORMAT_V2)) {
            // "UTC" rather than ZoneOffset.UTC's id, "Z", which Python's zoneinfo (and other IANA readers) refuse.
            root.put("time_zone", spec.timeZone() == ZoneOffset.UTC ? "UTC" : spec.timeZone().getId());
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers failed to serialise", e);
        }
    }

    private static ModelSpec toSpec(JsonNode root) {
        String format = text(root, "format");
        boolean v1 = ModelSpec.FORMAT_V1.equals(format);
        if (!v1 && !ModelSpec.FORMAT_V2.equals(format)) {
            throw new IllegalArgumentException("format: expected \"" + ModelSpec.FORMAT_V1 + "\" or \""
                    + ModelSpec.FORMAT_V2 + "\", found \"" + format + "\"");
        }
        Set<String> fields = v1 ? V1_FIELDS : V2_FIELDS;
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!fields.contains(field.getKey())) {
                throw new IllegalArgumentException(field.getKey() + ": unknown field in " + format + "; expected only "
                        + fields.stream().sorted().toList());
            }
        }
        ModelSpec.Builder builder = ModelSpec.builder()
                .name(text(root, "name"))
                .version(version(root))
                .features(names(root, "features"))
                .targets(names(root, "targets"))
                .hiddenSize(integer(root, "hidden_size"))
                .numLayers(integer(root, "num_layers"))
                .gateVariant(GateVariant.fromJsonName(text(root, "gate_variant")))
                .normalization(normalization(root))
                .horizon(root.has("horizon") ? integer(root, "horizon") : 1)
                .multiStep(v1 ? MultiStep.RECURSIVE : MultiStep.DIRECT);
        if (root.has("calendar")) {
            List<CalendarFeature> calendar = new ArrayList<>();
            List<String> names = names(root, "calendar");
            for (int i = 0; i < names.size(); i++) {
                try {
                    calendar.add(CalendarFeature.fromJsonName(names.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("calendar[" + i + "]: " + e.getMessage(), e);
                }
            }
            builder.calendar(calendar);
        }
        if (root.has("time_zone")) {
            String zone = text(root, "time_zone");
            try {
                builder.timeZone(ZoneId.of(zone));
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("time_zone: expected an IANA time zone such as \"Europe/Paris\""
                        + " or \"UTC\", or a fixed offset such as \"+05:30\", found \"" + zone + "\"", e);
            }
        }
        return builder.build();
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> union = new HashSet<>(first);
        union.addAll(second);
        return Set.copyOf(union);
    }

    private static Normalization normalization(JsonNode root) {
        JsonNode node = root.get("normalization");
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("normalization: expected an object with mean and std, found "
                    + (node == null ? "nothing" : node.getNodeType()));
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String field = entry.getKey();
            if (!NORMALIZATION_FIELDS.contains(field)) {
                throw new IllegalArgumentException("normalization: unknown field \"" + field + "\"; expected mean,"
                        + " std and optionally per_key");
            }
        }
        double[] mean = numbers(node, "normalization.", "mean");
        double[] std = numbers(node, "normalization.", "std");
        JsonNode perKey = node.get("per_key");
        return perKey == null ? Normalization.fixed(mean, std) : Normalization.perKey(mean, std, perKey(perKey));
    }

    private static PerKeyScaling perKey(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("normalization.per_key: expected an object with halflife, clip and"
                    + " min_std_ratio, found " + describe(node));
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!PER_KEY_FIELDS.contains(entry.getKey())) {
                throw new IllegalArgumentException("normalization.per_key: unknown field \"" + entry.getKey()
                        + "\"; expected exactly halflife, clip and min_std_ratio");
            }
        }
        String prefix = "normalization.per_key.";
        return new PerKeyScaling(number(prefix + "halflife", node.get("halflife")),
                number(prefix + "clip", node.get("clip")),
                number(prefix + "min_std_ratio", node.get("min_std_ratio")));
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string, found " + describe(node));
        }
        return node.textValue();
    }

    /** A version may be written as a string or, for convenience, an integer; it is kept as text. */
    private static String version(JsonNode root) {
        JsonNode node = root.get("version");
        if (node != null && node.isIntegralNumber()) {
            return node.asText();
        }
        return text(root, "version");
    }

    private static int integer(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new IllegalArgumentException(field + ": expected an integer, found " + describe(node));
        }
        return node.intValue();
    }

    private static double number(String field, JsonNode node) {
        if (node == null || !node.isNumber()) {
            throw new IllegalArgumentException(field + ": expected a number, found " + describe(node));
        }
        return node.doubleValue();
    }

    private static List<String> names(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(field + ": expected an array of names, found " + describe(node));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode name = node.get(i);
            if (!name.isTextual()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected a string, found " + describe(name));
            }
            names.add(name.textValue());
        }
        return names;
    }

    private static double[] numbers(JsonNode parent, String prefix, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(prefix + field + ": expected an array of numbers, found "
                    + describe(node));
        }
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(prefix + field + "[" + i + "]", node.get(i));
        }
        return values;
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        String text = node.toString();
        return node.getNodeType().toString().toLowerCase(Locale.ROOT) + " "
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
