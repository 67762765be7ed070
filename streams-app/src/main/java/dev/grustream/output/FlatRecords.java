package dev.grustream.output;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Forecasts and alerts with one field per value and nothing nested ({@code output.layout=flat}), for sinks that take
 * only scalar columns (Kafka Connect's JDBC sink, ksqlDB).
 *
 * <p>A forecast of targets {@code T} over steps 1..H becomes: {@code key}, {@code event_time} (epoch milliseconds),
 * {@code model_name}, {@code model_version}, {@code anomaly_score}, {@code anomalous}, {@code step},
 * {@code state_reset}, and per target {@code T_actual}, {@code T_expected} and per step {@code T_h<k>},
 * {@code T_h<k>_lower}, {@code T_h<k>_upper} (null where there is no value). An alert becomes {@code key},
 * {@code event_time}, {@code anomaly_score}, {@code threshold}, {@code severity}, {@code rule} (null in alerts
 * written before it existed), {@code model_name}, {@code model_version}, and per target {@code T_actual} and
 * {@code T_expected}. A target's name is written with
 * each character Avro names do not allow as {@code _}. The Avro schema follows the model's targets and horizon: a
 * model with another horizon registers a new, backward-compatible version (every per-target field has a default).
 *
 * <p>Thread-safe: the schemas are cached per shape.
 */
public final class FlatRecords {
    private static final String NAMESPACE = "dev.grustream.avro.flat";

    private final Map<List<Object>, Schema> forecastSchemas = new ConcurrentHashMap<>();
    private final Map<List<String>, Schema> alertSchemas = new ConcurrentHashMap<>();

    /**
     * Checks that {@code targets} flatten to distinct field names.
     *
     * @throws IllegalArgumentException naming two targets that would share their fields
     */
    public static void checkTargets(List<String> targets) {
        Map<String, String> seen = new HashMap<>();
        for (String target : targets) {
            // Compared without case: the tables of JDBC sinks and ksqlDB's unquoted columns do not tell CPU from cpu.
            String previous = seen.put(fieldName(target).toLowerCase(Locale.ROOT), target);
            if (previous != null) {
                throw new IllegalArgumentException("targets '" + previous + "' and '" + target + "' would both be"
                        + " written as fields " + fieldName(target) + "_* (to destinations that ignore case);"
                        + " output.layout=flat needs target names that differ in letters other than by case,"
                        + " digits and '_'");
            }
        }
    }

    /** A target's name as Avro field names may hold it: letters, digits and '_', not starting with a digit. */
    static String fieldName(String target) {
        String name = target.replaceAll("[^A-Za-z0-9_]", "_");
        return name.isEmpty() || Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    /** The fields of {@code forecast} in order, as Java values (String, Long, Double, Boolean, null). */
    public Map<String, Object> forecastFields(Forecast forecast) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("key", forecast.getKey());
        fields.put("event_time", forecast.getEventTime().toEpochMilli());
        fields.put("model_name", forecast.getModelName());
        fields.put("model_version", forecast.getModelVersion());
        fields.put("anomaly_score", forecast.getAnomalyScore());
        fields.put("anomalous", forecast.getAnomalous());
        fields.put("step", forecast.getStep());
        fields.put("state_reset", forecast.getStateReset().name());
        for (String target : targets(forecast.getForecast().keySet())) {
            String name = fieldName(target);
            fields.put(name + "_actual", forecast.getActual().get(target));
            fields.put(name + "_expected", forecast.getExpected() == null ? null : forecast.getExpected().get(target));
            List<Double> steps = forecast.getForecast().get(target);
            List<Double> lower = forecast.getLower().get(target);
            List<Double> upper = forecast.getUpper().get(target);
            for (int k = 0; k < steps.size(); k++) {
                fields.put(name + "_h" + (k + 1), steps.get(k));
                fields.put(name + "_h" + (k + 1) + "_lower", lower == null ? null : lower.get(k));
                fields.put(name + "_h" + (k + 1) + "_upper", upper == null ? null : upper.get(k));
            }
        }
        return fields;
    }

    /** The fields of {@code alert} in order, as Java values. */
    public Map<String, Object> alertFields(AnomalyAlert alert) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("key", alert.getKey());
        fields.put("event_time", alert.getEventTime().toEpochMilli());
        fields.put("anomaly_score", alert.getAnomalyScore());
        fields.put("threshold", alert.getThreshold());
        fields.put("severity", alert.getSeverity().name());
        fields.put("rule", alert.getRule() == null ? null : alert.getRule().name());
        fields.put("model_name", alert.getModelName());
        fields.put("model_version", alert.getModelVersion());
        for (String target : targets(alert.getActual().keySet())) {
            fields.put(fieldName(target) + "_actual", alert.getActual().get(target));
            fields.put(fieldName(target) + "_expected", alert.getExpected().get(target));
        }
        return fields;
    }

    /** {@code forecast} as a flat Avro record. */
    public GenericRecord forecast(Forecast forecast) {
        Set<String> targets = targets(forecast.getForecast().keySet());
        int horizon = forecast.getForecast().values().iterator().next().size();
        Schema schema = forecastSchemas.computeIfAbsent(List.of(List.copyOf(targets), horizon),
                shape -> forecastSchema(targets, horizon));
        return record(schema, forecastFields(forecast));
    }

    /** {@code alert} as a flat Avro record. */
    public GenericRecord alert(AnomalyAlert alert) {
        Set<String> targets = targets(alert.getActual().keySet());
        Schema schema = alertSchemas.computeIfAbsent(List.copyOf(targets), shape -> alertSchema(targets));
        return record(schema, alertFields(alert));
    }

    private static GenericRecord record(Schema schema, Map<String, Object> fields) {
        GenericData.Record record = new GenericData.Record(schema);
        fields.forEach(record::put);
        return record;
    }

    private static Set<String> targets(Set<String> names) {
        return new TreeSet<>(names);
    }

    private static Schema forecastSchema(Set<String> targets, int horizon) {
        SchemaBuilder.FieldAssembler<Schema> fields = common(SchemaBuilder.record("FlatForecast").namespace(NAMESPACE)
                .doc("A forecast of gru-stream with one field per value (output.layout=flat).").fields())
                .name("anomaly_score").type().doubleType().noDefault()
                .name("anomalous").type().booleanType().noDefault()
                .name("step").type().longType().noDefault()
                .name("state_reset").type().stringType().noDefault();
        for (String target : targets) {
            String name = fieldName(target);
            fields = optional(fields, name + "_actual");
            fields = optional(fields, name + "_expected");
            for (int k = 1; k <= horizon; k++) {
                fields = optional(fields, name + "_h" + k);
                fields = optional(fields, name + "_h" + k + "_lower");
                fields = optional(fields, name + "_h" + k + "_upper");
            }
        }
        return fields.endRecord();
    }

    private static Schema alertSchema(Set<String> targets) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("FlatAnomalyAlert").namespace(NAMESPACE)
                .doc("An anomaly alert of gru-stream with one field per value (output.layout=flat).").fields()
                .name("key").type().stringType().noDefault()
                .name("event_time").type(timestamp()).noDefault()
                .name("anomaly_score").type().doubleType().noDefault()
                .name("threshold").type().doubleType().noDefault()
                .name("severity").type().stringType().noDefault()
                .name("rule").type().optional().stringType()
                .name("model_name").type().stringType().noDefault()
                .name("model_version").type().stringType().noDefault();
        for (String target : targets) {
            fields = optional(fields, fieldName(target) + "_actual");
            fields = optional(fields, fieldName(target) + "_expected");
        }
        return fields.endRecord();
    }

    private static SchemaBuilder.FieldAssembler<Schema> common(SchemaBuilder.FieldAssembler<Schema> fields) {
        return fields.name("key").type().stringType().noDefault()
                .name("event_time").type(timestamp()).noDefault()
                .name("model_name").type().stringType().noDefault()
                .name("model_version").type().stringType().noDefault();
    }

    private static SchemaBuilder.FieldAssembler<Schema> optional(SchemaBuilder.FieldAssembler<Schema> fields,
            String name) {
        return fields.name(name).type().optional().doubleType();
    }

    private static Schema timestamp() {
        return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    }
}
