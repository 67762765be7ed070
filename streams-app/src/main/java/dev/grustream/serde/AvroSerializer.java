package dev.grustream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

import dev.grustream.serde.AvroSerializationException.Reason;
import dev.grustream.serde.internals.AvroValues;
import dev.grustream.serde.internals.CachingSchemaRegistryClient;
import dev.grustream.serde.internals.ForecastWriter;
import dev.grustream.serde.internals.SchemaRegistryClients;
import dev.grustream.serde.internals.WireFormat;

/**
 * Writes Avro values in Confluent's wire format (magic byte 0, 4-byte big-endian schema id, Avro binary body), the
 * counterpart of Confluent's {@code KafkaAvroSerializer}: SpecificRecords, GenericRecords and Avro primitives, as
 * keys or values. The schema is registered under the subject its {@link SubjectNameStrategy} names, or looked up
 * there, per {@link AvroSerdeConfig}. A top-level {@code byte[]} or {@code ByteBuffer} is the body as is, without
 * Avro's length prefix, as Confluent writes it.
 *
 * <p>Lifecycle: construct, {@link #configure(Map, boolean)} once, then serialize. Thread-safe: Kafka Streams may
 * share one instance across stream threads. Each schema costs one registry request for the life of the registry
 * client; after that a call allocates little more than the returned array.
 *
 * @see AvroDeserializer
 */
public final class AvroSerializer implements Serializer<Object> {
    // A thread keeps its output buffer between calls, unless one huge value grew it past this.
    private static final int MAX_RETAINED_BUFFER = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryClient injectedClient;
    private volatile Settings settings;
    /*
     * Bounded as the client's schemas by id are: GenericRecords of ever new schemas (a pipeline that builds them from
     * its input) would otherwise grow these for the life of the producer, most of all with use.latest.version, where
     * every (own, latest) pair is a new entry and the client's per-subject bound is never reached.
     */
    private final Cache<Schema, DatumWriter<Object>> specificWriters = boundedCache();
    private final Cache<Schema, DatumWriter<Object>> genericWriters = boundedCache();
    private final Cache<SchemaPair, ToLatest> toLatest = boundedCache();
    private final ThreadLocal<OutputBuffer> buffers = ThreadLocal.withInitial(OutputBuffer::new);

    private final Cache<Schema, Schema> withoutJavaProperties = boundedCache();

    private record Settings(SchemaRegistryClient client, boolean isKey, SubjectNameStrategy strategy,
                            boolean autoRegister, boolean useLatest, boolean latestStrict,
                            boolean removeJavaProperties) {
    }

    /** A value's own schema, the latest version it is written with, and whether it is a generated class's. */
    private record SchemaPair(Schema own, Schema latest, boolean specific) {
    }

    private static final class OutputBuffer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder;
    }

    /** A serializer whose registry client is built by {@link #configure(Map, boolean)} from the configuration. */
    public AvroSerializer() {
        this.injectedClient = null;
    }

    /** A serializer that uses {@code client} whatever {@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG} says. */
    public AvroSerializer(SchemaRegistryClient client) {
        this.injectedClient = Objects.requireNonNull(client, "client");
    }

    /**
     * Reads the {@link AvroSerdeConfig} keys from {@code configs}.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key of a missing or invalid value
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        configure(config, isKey, injectedClient != null ? injectedClient : SchemaRegistryClients.create(config));
    }

    /** Configures with a client the caller built (a serde shares one between its serializer and deserializer). */
    void configure(AvroSerdeConfig config, boolean isKey, SchemaRegistryClient client) {
        settings = new Settings(client, isKey,
                config.subjectNameStrategy(isKey), config.autoRegisterSchemas(), config.useLatestVersion(),
                config.latestCompatibilityStrict(), config.removeJavaProperties());
    }

    /**
     * Returns {@code data} framed in Confluent's wire format, or null for null.
     *
     * @throws AvroSerializationException when the value or its schema is at fault (see its {@link Reason})
     * @throws SchemaRegistryUnavailableException when no registry answered; retry later
     * @throws SchemaRegistryException when the registry refused for another reason (e.g. authorization)
     */
    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null) {
            return null;
        }
        Settings current = settings();
        Schema schema = AvroValues.schemaOf(data);
        if (schema == null) {
            throw new AvroSerializationException(Reason.UNSUPPORTED_TYPE, AvroSerializationException.NO_SCHEMA_ID,
                    "cannot serialize a " + data.getClass().getName() + " for topic '" + topic + "': expected an "
                            + "Avro record or container, or a Boolean, Integer, Long, Float, Double, CharSequence, "
                            + "byte[] or ByteBuffer");
        }
        // The registry's copy: the same binary encoding, as avro.java.string only tells generated code which class
        // reads a string.
        Schema registered = current.removeJavaProperties() ? withoutJavaProperties.get(schema,
                AvroSerializer::withoutJavaProperties) : schema;
        String subject = current.strategy().subjectName(topic, current.isKey(), registered);
        Object datum = AvroValues.toDatum(data);
        if (current.useLatest() && !current.autoRegister()) {
            SchemaMetadata latest = latestVersion(current, subject, topic);
            ToLatest conversion = toLatest(data, schema, registered, latest, topic);
            return write(latest.id(), conversion.writer, conversion.convert(datum), topic, latest.schema());
        }
        int id = schemaId(current, subject, registered, topic);
        return write(id, writerFor(data, schema), datum, topic, schema);
    }

    /**
     * {@code schema} without the {@code avro.java.string} properties of its types, as Confluent's serializer drops
     * them with {@code avro.remove.java.properties}: by hand, as Avro's API has no way to remove a property.
     */
    private static Schema withoutJavaProperties(Schema schema) {
        String json = schema.toString();
        if (!json.contains(GenericData.STRING_PROP)) {
            return schema;
        }
        try {
            JsonNode tree = JSON.readTree(json);
            removeJavaProperties(tree);
            return new Schema.Parser().parse(JSON.writeValueAsString(tree));
        } catch (IOException | RuntimeException e) {
            throw new AvroSerializationException(Reason.UNSUPPORTED_TYPE, AvroSerializationException.NO_SCHEMA_ID,
                    "cannot remove the Java properties of schema " + schema.getFullName() + ": " + e, e);
        }
    }

    private static void removeJavaProperties(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(GenericData.STRING_PROP);
            // A default is a value, not a schema: a map's default may have a key of that name.
            object.properties().stream().filter(field -> !field.getKey().equals("default"))
                    .forEach(field -> removeJavaProperties(field.getValue()));
        } else if (node instanceof ArrayNode array) {
            array.forEach(AvroSerializer::removeJavaProperties);
        }
    }

    private static <K, V> Cache<K, V> boundedCache() {
        return Caffeine.newBuilder().maximumSize(CachingSchemaRegistryClient.MAX_SCHEMAS_BY_ID)
                .executor(Runnable::run).build();
    }

    /** How many writers and conversions this serializer holds: for tests of the bound. */
    long cachedWriters() {
        specificWriters.cleanUp();
        genericWriters.cleanUp();
        toLatest.cleanUp();
        return specificWriters.estimatedSize() + genericWriters.estimatedSize() + toLatest.estimatedSize();
    }

    private Settings settings() {
        Settings current = settings;
        if (current == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(configs, isKey) first");
        }
        return current;
    }

    private static int schemaId(Settings current, String subject, Schema schema, String topic) {
        try {
            return current.autoRegister()
                    ? current.client().register(subject, schema)
                    : current.client().getId(subject, schema);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            throw rejectedOrRethrown(e, current.autoRegister() ? "register" : "find", subject, schema, topic);
        }
    }

    private static SchemaMetadata latestVersion(Settings current, String subject, String topic) {
        try {
            return current.client().getLatestSchemaMetadata(subject);
        } catch (SchemaRegistryUnavailableException e) {
            throw e;
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() && e.isRefusal()) {
                throw new AvroSerializationException(Reason.SCHEMA_REJECTED, AvroSerializationException.NO_SCHEMA_ID,
                        "cannot serialize for topic '" + topic + "': use.latest.version is set but subject '"
                                + subject + "' has no version: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    // A registry "no" about this schema (unknown, incompatible, invalid) is the value's fault; anything else, such
    // as 401 or 403, or a 404 that is not the registry's about the subject (a proxy's page, a wrong path in the URL),
    // is the deployment's and must not pass for a bad record.
    private static RuntimeException rejectedOrRethrown(SchemaRegistryException e, String action, String subject,
                                                       Schema schema, String topic) {
        if (e.isRefusal()) {
            return new AvroSerializationException(Reason.SCHEMA_REJECTED, AvroSerializationException.NO_SCHEMA_ID,
                    "cannot " + action + " schema " + schema.getFullName() + " under subject '" + subject
                            + "' for topic '" + topic + "': " + e.getMessage(), e);
        }
        return e;
    }

    private DatumWriter<Object> writerFor(Object data, Schema schema) {
        // Generated classes carry their own SpecificData with the logical-type conversions their fields need
        // (Instant for timestamp-millis); a GenericRecord holds the raw values.
        if (ForecastWriter.writes(data, schema)) {
            return ForecastWriter.INSTANCE;
        }
        boolean specific = data instanceof SpecificRecord;
        Cache<Schema, DatumWriter<Object>> writers = specific ? specificWriters : genericWriters;
        DatumWriter<Object> writer = writers.getIfPresent(schema);
        if (writer != null) {
            return writer;
        }
        return writers.get(schema, unknown -> specific
                ? new SpecificDatumWriter<>(unknown, SpecificData.getForClass(data.getClass()))
                : new GenericDatumWriter<>(unknown, GenericData.get()));
    }

    /** With {@code registered}, {@code own} as the registry sees it: the two write the same bytes. */
    private ToLatest toLatest(Object data, Schema own, Schema registered, SchemaMetadata latest, String topic) {
        // A generated class and a generic record of one schema hold values of other types (Instant and long).
        SchemaPair pair = new SchemaPair(registered, latest.schema(), data instanceof SpecificRecord);
        ToLatest conversion = toLatest.getIfPresent(pair);
        if (conversion != null) {
            return conversion;
        }
        boolean strict = settings.latestStrict();
        return toLatest.get(pair, unknown -> new ToLatest(writerFor(data, own), registered, latest, topic,
                strict));
    }

    private byte[] write(int id, DatumWriter<Object> writer, Object datum, String topic, Schema schema) {
        OutputBuffer buffer = buffers.get();
        buffer.out.reset();
        buffer.out.writeBytes(WireFormat.header(id));
        try {
            if (schema.getType() == Schema.Type.BYTES) {
                // Confluent writes a top-level bytes value as is, without Avro's length prefix, and reads it so.
                buffer.out.writeBytes(AvroValues.bytesOf(datum));
            } else {
                buffer.encoder = EncoderFactory.get().binaryEncoder(buffer.out, buffer.encoder);
                writer.write(datum, buffer.encoder);
                buffer.encoder.flush();
            }
        } catch (IOException | RuntimeException e) {
            // The encoder may still hold part of the failed value, which it would flush into the next one.
            buffer.encoder = null;
            throw new AvroSerializationException(Reason.INVALID_DATUM, id, "cannot write a value of schema "
                    + schema.getFullName() + " (id " + id + ") for topic '" + topic + "': " + e, e);
        }
        byte[] bytes = buffer.out.toByteArray();
        if (bytes.length > MAX_RETAINED_BUFFER) {
            buffers.remove();
        }
        return bytes;
    }

    /**
     * How a value of one schema is written with the latest version of its subject: as is when the two are the same,
     * else re-read through Avro's schema resolution (writer: its own schema, reader: the latest) and written with the
     * latest. When strict ({@code latest.compatibility.strict}), a latest version that cannot read every value of
     * the own schema is refused up front; otherwise each value is tried, and one that does not resolve is refused.
     * Immutable once built; its Avro readers and writers are thread-safe.
     */
    private static final class ToLatest {
        private final DatumWriter<Object> ownWriter;
        private final DatumReader<Object> resolver;
        final DatumWriter<Object> writer;

        ToLatest(DatumWriter<Object> ownWriter, Schema own, SchemaMetadata latest, String topic, boolean strict) {
            this.ownWriter = ownWriter;
            if (own.equals(latest.schema())) {
                this.resolver = null;
                this.writer = ownWriter;
                return;
            }
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), own);
            if (strict && compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new AvroSerializationException(Reason.SCHEMA_MISMATCH, latest.id(), "cannot write a value of "
                        + "schema " + own.getFullName() + " for topic '" + topic + "' with the latest version "
                        + latest.version() + " (id " + latest.id() + ") of subject '" + latest.subject() + "': "
                        + compatibility.getDescription());
            }
            this.resolver = new GenericDatumReader<>(own, latest.schema(), GenericData.get());
            this.writer = new GenericDatumWriter<>(latest.schema(), GenericData.get());
        }

        Object convert(Object datum) {
            if (resolver == null) {
                return datum;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
                ownWriter.write(datum, encoder);
                encoder.flush();
                return resolver.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
            } catch (IOException | RuntimeException e) {
                throw new AvroSerializationException(Reason.INVALID_DATUM, AvroSerializationException.NO_SCHEMA_ID,
                        "cannot convert a value to the subject's latest schema: " + e, e);
            }
        }
    }
}
