package dev.grustream.input;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Avro records of any schema through the registry ({@code input.format=avro-generic}), mapped onto
 * observations by an {@link InputMapping}. A path goes through records by field name and through maps by key. A field
 * typed {@code timestamp-millis} or {@code timestamp-micros} is read in its unit, a {@code date} as midnight UTC of its
 * day, a {@code decimal} as its exact value; other numbers and strings as {@link EventTimes} says.
 *
 * <p>As thread-safe as the wrapped deserializer.
 */
public final class GenericAvroObservationReader extends AvroValueReader {
    private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();
    private static final double BITS_PER_DIGIT = Math.log(10) / Math.log(2);
    /**
     * The most digits a decimal is read with, whatever precision its schema declares (Avro bounds it only for fixed):
     * a double's widest number has 309, and digits beyond its 17th change nothing it holds.
     */
    static final int MAX_DECIMAL_DIGITS = 1_000;
    /** What {@link #find} gives, compared by identity, for a path that meets an array before its last name. */
    private static final Found THROUGH_ARRAY = new Found(null, null);
    private final ObservationMapper mapper;

    /**
     * @param records the deserializer of the values: gru-stream's {@code GenericAvroSerde}'s, or any that returns
     *     {@link GenericRecord}s (Confluent's {@code KafkaAvroDeserializer})
     * @param modelFeatures the serving model's features, read at every value
     */
    public GenericAvroObservationReader(Deserializer<?> records, InputMapping mapping,
            Supplier<List<String>> modelFeatures) {
        super(records);
        this.mapper = new ObservationMapper(mapping, modelFeatures);
    }

    @Override
    InboundObservation read(Object value, byte[] data) {
        if (!(value instanceof GenericRecord record)) {
            throw new InputException(InputException.Reason.SCHEMA_MISMATCH, "the value is a "
                    + (value instanceof GenericContainer container ? container.getSchema().getType() + " "
                    : "") + value.getClass().getSimpleName() + ", not an Avro record");
        }
        return mapper.map(path -> valueAt(record, path), data);
    }

    private static Object valueAt(GenericRecord root, FieldPath path) {
        Found found = find(root, root.getSchema(), path, 0);
        if (found == THROUGH_ARRAY) {
            return Fields.INSIDE_ARRAY;
        }
        return found == null ? null : scalar(found.value(), found.schema(), path);
    }

    /** A value found in a record, with the schema it was read with. */
    private record Found(Object value, Schema schema) {
    }

    /**
     * The non-null value at the names of {@code path} from {@code from} on below {@code value} (of {@code schema}), or
     * null. A record's field is one name (Avro's names hold no dots); a map's key may hold dots, so a map is searched
     * by one name first and then by names joined by their dots ({@code labels.k8s.pod} finds the key {@code k8s.pod} of
     * {@code labels}). {@link #THROUGH_ARRAY} when the path met an array on every way it could be read and found no
     * value.
     */
    private static Found find(Object value, Schema schema, FieldPath path, int from) {
        if (from == path.names().size()) {
            return new Found(value, schema);
        }
        if (value instanceof Collection<?>) {
            return THROUGH_ARRAY;
        }
        if (value instanceof GenericRecord record) {
            Schema.Field field = record.getSchema().getField(path.names().get(from));
            Object child = field == null ? null : record.get(field.pos());
            return child == null ? null : find(child, branchOf(field.schema(), child), path, from + 1);
        }
        if (value instanceof Map<?, ?> map) {
            Found array = null;
            for (int to = from + 1; to <= path.names().size(); to++) {
                Object child = entry(map, path.span(from, to));
                if (child != null) {
                    Found found = find(child, branchOf(schema.getValueType(), child), path, to);
                    if (found == THROUGH_ARRAY) {
                        array = found;
                    } else if (found != null) {
                        return found;
                    }
                }
            }
            return array;
        }
        return null;
    }

    /** The schema {@code value} was read with: the union's branch it belongs to, or {@code schema} itself. */
    private static Schema branchOf(Schema schema, Object value) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        if (value instanceof BigDecimal) {
            // Converted by its deserializer: GenericData would refuse it after writing it out whole in its message.
            // Its branch is the union's decimal, whose precision holds it.
            return schema.getTypes().stream().filter(branch -> branch.getLogicalType() instanceof LogicalTypes.Decimal)
                    .findFirst().orElse(firstNonNull(schema));
        }
        try {
            return schema.getTypes().get(GenericData.get().resolveUnion(schema, value));
        } catch (AvroRuntimeException e) {
            // A value converted by its deserializer (an Instant, a LocalDate), which plain GenericData cannot place
            // in a union (unresolved, or an unknown datum type): its first non-null branch.
            return firstNonNull(schema);
        }
    }

    private static Schema firstNonNull(Schema union) {
        return union.getTypes().stream().filter(branch -> branch.getType() != Schema.Type.NULL).findFirst()
                .orElse(union);
    }

    /** The value of {@code key} in a map read by Avro, whose keys are {@code Utf8} or {@code String}. */
    private static Object entry(Map<?, ?> map, String key) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (key.contentEquals((CharSequence) entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static Object scalar(Object value, Schema schema, FieldPath path) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            try {
                if (value instanceof ByteBuffer bytes) {
                    return withinPrecision(DECIMALS.fromBytes(bytes.duplicate(), schema, decimal), decimal, path);
                }
                if (value instanceof GenericFixed fixed) {
                    return withinPrecision(DECIMALS.fromFixed(fixed, schema, decimal), decimal, path);
                }
                if (value instanceof BigDecimal converted) {
                    // Converted by its deserializer (Confluent's with avro.use.logical.type.converters).
                    return withinPrecision(converted, decimal, path);
                }
            } catch (NumberFormatException e) {
                // An empty decimal: Avro's conversion cannot make a number of no bytes.
                throw new InputException(InputException.Reason.NOT_A_NUMBER, "the field '" + path + "' holds a"
                        + " decimal that is not a number: " + e.getMessage());
            }
        }
        if (value instanceof Utf8 bytes) {
            // Strictly: Avro's own reading makes such bytes U+FFFD, and two series keys of different bytes one.
            String text = RecordKeyDeserializer.utf8(bytes.getBytes(), bytes.getByteLength());
            if (text == null) {
                throw new InputException(InputException.Reason.UNDECODABLE, "the field '" + path + "' holds a"
                        + " string that is not UTF-8");
            }
            return text;
        }
        if (value instanceof Integer days && logical instanceof LogicalTypes.Date) {
            return Instant.ofEpochMilli(days * 86_400_000L);
        }
        if (value instanceof LocalDate date) {
            return date.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        if (value instanceof Instant || value instanceof Number || value instanceof Boolean) {
            return value instanceof Long millis && isTime(schema) ? time(millis, schema) : value;
        }
        if (value instanceof CharSequence || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof ByteBuffer || value instanceof GenericContainer || value instanceof Iterable<?>
                || value instanceof Map<?, ?>) {
            return Fields.COMPOSITE;
        }
        return value.toString();
    }

    /**
     * {@code value}, refused unless its digits fit its schema's precision, which Avro does not check when it reads:
     * a decimal of a million bytes would otherwise take the stream thread seconds to turn into a number or a key.
     */
    private static BigDecimal withinPrecision(BigDecimal value, LogicalTypes.Decimal decimal, FieldPath path) {
        int digits = Math.min(decimal.getPrecision(), MAX_DECIMAL_DIGITS);
        // 10^p needs p * log2(10) bits: a value of more bits has more than p digits, found without counting them,
        // which costs more than linear time in the digits.
        if (value.unscaledValue().bitLength() > Math.ceil(digits * BITS_PER_DIGIT) || value.precision() > digits) {
            throw new InputException(InputException.Reason.NOT_A_NUMBER, "the field '" + path + "' holds a decimal of"
                    + " more digits than " + (digits == decimal.getPrecision() ? "its schema's precision, " + digits
                            : "the " + MAX_DECIMAL_DIGITS + " read"));
        }
        return value;
    }

    /** Whether the value's schema is a timestamp type. */
    private static boolean isTime(Schema schema) {
        return schema.getLogicalType() instanceof LogicalTypes.TimestampMillis
                || schema.getLogicalType() instanceof LogicalTypes.TimestampMicros
                || schema.getLogicalType() instanceof LogicalTypes.TimestampNanos;
    }

    private static Instant time(long value, Schema schema) {
        LogicalType logical = schema.getLogicalType();
        long perMilli = logical instanceof LogicalTypes.TimestampNanos ? 1_000_000
                : logical instanceof LogicalTypes.TimestampMicros ? 1000 : 1;
        return Instant.ofEpochMilli(Math.floorDiv(value, perMilli));
    }
}
