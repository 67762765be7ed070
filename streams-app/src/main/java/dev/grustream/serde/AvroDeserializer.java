package dev.grustream.serde;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import dev.grustream.avro.history.LengthCheckingDecoder;
import dev.grustream.serde.AvroSerializationException.Reason;
import dev.grustream.serde.internals.AvroValues;
import dev.grustream.serde.internals.CachingSchemaRegistryClient;
import dev.grustream.serde.internals.SchemaRegistryClients;
import dev.grustream.serde.internals.WireFormat;

/**
 * Reads Confluent's Avro wire format, the counterpart of Confluent's {@code KafkaAvroDeserializer}: the writer's
 * schema is fetched from the registry by the id in the header and resolved to the reader's schema with Avro's
 * schema resolution. With {@link AvroSerdeConfig#SPECIFIC_AVRO_READER_CONFIG} false (the default) records come back
 * as GenericRecords in the writer's schema, with true as the generated class the writer's schema names; top-level
 * primitives come back as Java values ({@code String}, {@code byte[]}, boxed numbers).
 *
 * <p>Null bytes give null. Bytes that are not a valid record give an {@link AvroSerializationException} with its
 * {@link Reason}; a registry that cannot be reached gives a {@link SchemaRegistryUnavailableException}, which does not
 * blame the record.
 *
 * <p>Lifecycle: construct, {@link #configure(Map, boolean)} once, then deserialize. Thread-safe: Kafka Streams may
 * share one instance across stream threads. A reader is built once per writer schema id and kept; a call then
 * allocates the decoder and the record.
 */
public final class AvroDeserializer implements Deserializer<Object> {
    /**
     * Not a user setting: when true, generic records keep their strings as {@link org.apache.avro.util.Utf8} even
     * where a schema asks for Java strings ({@code avro.java.string}), so that bytes that are not UTF-8 can be told
     * apart. gru-stream's reader of generic observations sets it; Confluent's deserializer, and this one without it,
     * hand such strings over as {@code String}, with U+FFFD for the bytes that are not UTF-8.
     */
    public static final String KEEP_STRING_BYTES = "gru.stream.internal.avro.keep.string.bytes";

    /** What the deserializer returns, fixed by the serde that owns it or left to the configuration. */
    enum Mode {
        /** {@link AvroSerdeConfig#SPECIFIC_AVRO_READER_CONFIG} decides. */
        CONFIGURED,
        /** Always a GenericRecord; a writer schema that is not a record is a mismatch. */
        GENERIC_RECORD,
        /** Always a SpecificRecord, of the given class or else of the class the writer's schema names. */
        SPECIFIC_RECORD
    }

    /**
     * Stands for a writer schema of top-level {@code bytes}, whose value Confluent's wire format carries as the whole
     * body, without Avro's length prefix: {@link #decode} returns the body itself and never calls this reader.
     */
    private static final DatumReader<Object> RAW_BYTES = new GenericDatumReader<>(Schema.create(Schema.Type.BYTES));

    private final SchemaRegistryClient injectedClient;
    private final Mode mode;
    private final Class<? extends SpecificRecord> readerClass;
    private volatile Settings settings;
    /** Bounded as the client's schemas by id are: a shared registry may hold many more schemas than one topic. */
    private final Cache<Integer, DatumReader<Object>> readers = Caffeine.newBuilder()
            .maximumSize(CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID).executor(Runnable::run).build();
    // Most topics carry one schema id: remembering the last reader skips the map (and boxing the id) on the hot path.
    private volatile CachedReader lastReader;

    private record Settings(SchemaRegistryClient client, boolean specificReader, boolean keepStringBytes) {
    }

    private record CachedReader(int schemaId, DatumReader<Object> reader) {
    }

    /** A deserializer whose registry client is built by {@link #configure(Map, boolean)} from the configuration. */
    public AvroDeserializer() {
        this(Mode.CONFIGURED, null, null);
    }

    /** A deserializer that uses {@code client} whatever {@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG} says. */
    public AvroDeserializer(SchemaRegistryClient client) {
        this(Mode.CONFIGURED, null, Objects.requireNonNull(client, "client"));
    }

    AvroDeserializer(Mode mode, Class<? extends SpecificRecord> readerClass, SchemaRegistryClient injectedClient) {
        this.mode = mode;
        this.readerClass = readerClass;
        this.injectedClient = injectedClient;
    }

    /**
     * Reads the {@link AvroSerdeConfig} keys from {@code configs}; {@code isKey} changes nothing when reading.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key of a missing or invalid value
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        configure(config, injectedClient != null ? injectedClient : SchemaRegistryClients.create(config),
                keepsStringBytes(configs));
    }

    /** Whether {@code configs} set {@link #KEEP_STRING_BYTES}. */
    static boolean keepsStringBytes(Map<String, ?> configs) {
        return Boolean.parseBoolean(String.valueOf(configs.get(KEEP_STRING_BYTES)));
    }

    /** Configures with a client the caller built (a serde shares one between its serializer and deserializer). */
    void configure(AvroSerdeConfig config, SchemaRegistryClient client, boolean keepStringBytes) {
        settings = new Settings(client, config.specificAvroReader(), keepStringBytes);
    }

    /**
     * Returns the value framed in {@code bytes}, or null for null.
     *
     * @throws AvroSerializationException when the bytes are not a valid record (see its {@link Reason})
     * @throws SchemaRegistryUnavailableException when no registry answered; retry later
     * @throws SchemaRegistryException when the registry refused for another reason (e.g. authorization)
     */
    @Override
    public Object deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        Settings current = settings();
        if (bytes.length > 0 && bytes[0] != WireFormat.MAGIC_BYTE) {
            throw bad(Reason.WRONG_MAGIC_BYTE, AvroSerializationException.NO_SCHEMA_ID, topic,
                    String.format(Locale.ROOT, "expected magic byte 0x00, found 0x%02x: the bytes are not in"
                            + " Confluent's Avro wire format", bytes[0]), null);
        }
        if (bytes.length < WireFormat.HEADER_SIZE) {
            throw bad(Reason.TRUNCATED, AvroSerializationException.NO_SCHEMA_ID, topic, "found " + bytes.length
                    + " byte(s), but the header alone needs " + WireFormat.HEADER_SIZE, null);
        }
        int schemaId = WireFormat.readSchemaId(bytes);
        return AvroValues.fromDatum(decode(readerFor(current, schemaId, topic), bytes, schemaId, topic));
    }

    private Settings settings() {
        Settings current = settings;
        if (current == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure(configs, isKey) "
                    + "first");
        }
        return current;
    }

    private DatumReader<Object> readerFor(Settings current, int schemaId, String topic) {
        CachedReader last = lastReader;
        if (last != null && last.schemaId() == schemaId) {
            return last.reader();
        }
        DatumReader<Object> reader = readers.get(schemaId, id -> newReader(current, id, topic));
        lastReader = new CachedReader(schemaId, reader);
        return reader;
    }

    private DatumReader<Object> newReader(Settings current, int schemaId, String topic) {
        Schema writer = writerSchema(current, schemaId, topic);
        boolean record = writer.getType() == Schema.Type.RECORD;
        if (mode != Mode.CONFIGURED && !record) {
            throw bad(Reason.SCHEMA_MISMATCH, schemaId, topic, "schema id " + schemaId + " is a "
                    + writer.getType() + ", but this serde reads records only", null);
        }
        if (writer.getType() == Schema.Type.BYTES) {
            return RAW_BYTES;
        }
        if (mode == Mode.GENERIC_RECORD || mode == Mode.CONFIGURED && (!current.specificReader() || !record)) {
            return current.keepStringBytes() && declaresJavaStrings(writer, new HashSet<>())
                    ? new Utf8KeepingReader(writer)
                    : new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        Class<?> type = readerClass != null ? readerClass : SpecificData.get().getClass(writer);
        if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
            throw bad(Reason.SCHEMA_MISMATCH, schemaId, topic, "no generated SpecificRecord class "
                    + writer.getFullName() + " on the classpath for schema id " + schemaId, null);
        }
        SpecificData data = SpecificData.getForClass(type);
        Schema reader = data.getSchema(type);
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw bad(Reason.SCHEMA_MISMATCH, schemaId, topic, "writer schema id " + schemaId + " ("
                    + writer.getFullName() + ") cannot be read as " + type.getName() + ": "
                    + compatibility.getDescription(), null);
        }
        String unitMismatch = otherLogicalType(reader, writer, reader.getName());
        if (unitMismatch != null) {
            throw bad(Reason.SCHEMA_MISMATCH, schemaId, topic, "writer schema id " + schemaId + " ("
                    + writer.getFullName() + ") cannot be read as " + type.getName() + ": " + unitMismatch, null);
        }
        return new SpecificDatumReader<>(writer, reader, data);
    }

    /**
     * Where a field the reader gives a logical type has another one in the writer's schema ({@code timestamp-micros}
     * for {@code timestamp-millis}, say), with both types' names; null if none does. Avro's compatibility check
     * compares the underlying types only, and the reader would then take microseconds for milliseconds. A writer's
     * plain {@code long} is read as the reader's logical type says, as Avro reads it.
     */
    private static String otherLogicalType(Schema reader, Schema writer, String path) {
        reader = onlyBranch(reader);
        writer = onlyBranch(writer);
        if (reader.getLogicalType() != null && writer.getLogicalType() != null
                && !reader.getLogicalType().getName().equals(writer.getLogicalType().getName())) {
            return path + " is " + writer.getLogicalType().getName() + " in the writer's schema, "
                    + reader.getLogicalType().getName() + " in the reader's";
        }
        if (reader.getType() == Schema.Type.RECORD && writer.getType() == Schema.Type.RECORD) {
            for (Schema.Field field : reader.getFields()) {
                Schema.Field written = writer.getField(field.name());
                String found = written == null ? null
                        : otherLogicalType(field.schema(), written.schema(), path + "." + field.name());
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The one branch of a union of it and null; {@code schema} itself otherwise. */
    private static Schema onlyBranch(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        Schema only = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                if (only != null) {
                    return schema;
                }
                only = branch;
            }
        }
        return only == null ? schema : only;
    }

    private static Schema writerSchema(Settings current, int schemaId, String topic) {
        try {
            return current.client().getSchemaById(schemaId);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            // Only Confluent's own "schema not found" blames the record: a bare 404 (a wrong URL path, a proxy's
            // page) is the registry's fault, and dead-lettering on it would throw good records away.
            if (e.isNotFound() && e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw bad(Reason.UNKNOWN_SCHEMA_ID, schemaId, topic, "the registry has no schema id " + schemaId
                        + ": " + e.getMessage(), e);
            }
            // A schema that is there but is not Avro (Protobuf, JSON Schema) or does not parse: no retry helps.
            if (e.errorCode() == SchemaRegistryException.INVALID_SCHEMA) {
                throw bad(Reason.SCHEMA_MISMATCH, schemaId, topic, "schema id " + schemaId + " cannot be used: "
                        + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static Object decode(DatumReader<Object> reader, byte[] bytes, int schemaId, String topic) {
        if (reader == RAW_BYTES) {
            return Arrays.copyOfRange(bytes, WireFormat.HEADER_SIZE, bytes.length);
        }
        int bodyLength = bytes.length - WireFormat.HEADER_SIZE;
        LengthCheckingDecoder decoder = new LengthCheckingDecoder(
                DecoderFactory.get().binaryDecoder(bytes, WireFormat.HEADER_SIZE, bodyLength, null), bodyLength);
        Object datum;
        boolean bytesLeft;
        try {
            datum = reader.read(null, decoder);
            bytesLeft = !decoder.isEnd();
        } catch (EOFException e) {
            String detail = e.getMessage() == null ? "" : ": " + e.getMessage();
            throw bad(Reason.TRUNCATED, schemaId, topic, "the " + bodyLength + "-byte body ends before the "
                    + "record of schema id " + schemaId + " does" + detail, e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // A recursive schema lets a few bytes nest deeper than the stack: the error unwinds the reader only.
            throw bad(Reason.MALFORMED_BODY, schemaId, topic, "the " + bodyLength + "-byte body does not decode "
                    + "with schema id " + schemaId + ": " + e, e);
        }
        if (bytesLeft) {
            throw bad(Reason.MALFORMED_BODY, schemaId, topic, "bytes are left over after the record in the "
                    + bodyLength + "-byte body: it was not written with schema id " + schemaId, null);
        }
        return datum;
    }

    private static AvroSerializationException bad(Reason reason, int schemaId, String topic, String message,
                                                  Throwable cause) {
        return new AvroSerializationException(reason, schemaId,
                "cannot deserialize a record of topic '" + topic + "': " + message, cause);
    }

    /** Whether {@code schema} asks anywhere for strings read as Java strings ({@code avro.java.string}). */
    private static boolean declaresJavaStrings(Schema schema, Set<Schema> seen) {
        if (schema.getProp(GenericData.STRING_PROP) != null) {
            return true;
        }
        return switch (schema.getType()) {
            case RECORD -> seen.add(schema)
                    && schema.getFields().stream().anyMatch(field -> declaresJavaStrings(field.schema(), seen));
            case ARRAY -> declaresJavaStrings(schema.getElementType(), seen);
            case MAP -> declaresJavaStrings(schema.getValueType(), seen);
            case UNION -> schema.getTypes().stream().anyMatch(branch -> declaresJavaStrings(branch, seen));
            default -> false;
        };
    }

    /**
     * Avro's generic reader, except that strings stay {@link org.apache.avro.util.Utf8} where a schema asks for Java
     * strings ({@code avro.java.string}): Avro would decode them itself, making every byte that is not UTF-8 U+FFFD,
     * so that two series ids of different bytes became one; as Utf8 the bytes reach the observation reader, which
     * refuses them. Nothing else of Avro's offers this, hence the subclass; its fast reader, which reads the property
     * on its own, is off for it.
     */
    private static final class Utf8KeepingReader extends GenericDatumReader<Object> {
        Utf8KeepingReader(Schema schema) {
            super(schema, schema, withoutFastReader());
        }

        private static GenericData withoutFastReader() {
            GenericData data = new GenericData();
            data.setFastReaderEnabled(false);
            return data;
        }

        @Override
        protected Class<?> findStringClass(Schema schema) {
            return CharSequence.class;
        }
    }
}
