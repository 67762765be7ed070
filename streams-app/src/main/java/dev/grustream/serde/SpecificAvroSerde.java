package dev.grustream.serde;

import java.util.Map;
import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import dev.grustream.serde.internals.SchemaRegistryClients;

/**
 * A {@link Serde} for a generated Avro class in Confluent's wire format, named after and configured like
 * Confluent's {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}. Whatever schema the writer used,
 * records are read as {@code T}: the writer's schema is resolved to {@code T}'s with Avro's schema resolution, so
 * older and newer writers both work as far as the schemas are compatible.
 *
 * <pre>{@code
 * SpecificAvroSerde<Forecast> forecasts = new SpecificAvroSerde<>(Forecast.class);
 * forecasts.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://registry:8081"), false);
 * }</pre>
 *
 * <p>Lifecycle: construct, {@link #configure(Map, boolean)} once (Kafka Streams does not configure serdes handed to
 * it in code), then use. The serializer and deserializer share one registry client. Thread-safe: Kafka Streams may
 * share the instance across stream threads.
 *
 * @param <T> the generated record class
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SchemaRegistryClient injectedClient;
    private final AvroSerializer serializer;
    private final Serializer<T> typedSerializer;
    private final AvroDeserializer deserializer;
    private final Deserializer<T> typedDeserializer;

    /**
     * A serde whose reader class is whichever generated class the writer's schema names, like Confluent's no-argument
     * constructor; for {@code default.key.serde} / {@code default.value.serde}. Prefer
     * {@link #SpecificAvroSerde(Class)} in code.
     */
    public SpecificAvroSerde() {
        this.injectedClient = null;
        this.serializer = new AvroSerializer();
        this.typedSerializer = Typed.serializer(serializer);
        this.deserializer = new AvroDeserializer(AvroDeserializer.Mode.SPECIFIC_RECORD, null, null);
        this.typedDeserializer = Typed.deserializer(deserializer, SpecificAvroSerde::uncheckedCast);
    }

    /** A serde that reads every record as {@code type}, with the registry given by the configuration. */
    public SpecificAvroSerde(Class<T> type) {
        this.injectedClient = null;
        this.serializer = new AvroSerializer();
        this.typedSerializer = Typed.serializer(serializer);
        this.deserializer = new AvroDeserializer(AvroDeserializer.Mode.SPECIFIC_RECORD,
                Objects.requireNonNull(type, "type"), null);
        this.typedDeserializer = Typed.deserializer(deserializer, type::cast);
    }

    /** A serde that reads every record as {@code type}, with {@code client} whatever the configuration says. */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient client) {
        this.injectedClient = Objects.requireNonNull(client, "client");
        this.serializer = new AvroSerializer(client);
        this.typedSerializer = Typed.serializer(serializer);
        this.deserializer = new AvroDeserializer(AvroDeserializer.Mode.SPECIFIC_RECORD,
                Objects.requireNonNull(type, "type"), client);
        this.typedDeserializer = Typed.deserializer(deserializer, type::cast);
    }

    /**
     * Reads the {@link AvroSerdeConfig} keys from {@code configs} ({@code specific.avro.reader} is ignored: this serde
     * always reads generated classes).
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key of a missing or invalid value
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        SchemaRegistryClient client = injectedClient != null ? injectedClient : SchemaRegistryClients.create(config);
        serializer.configure(config, isKey, client);
        deserializer.configure(config, client, false);
    }

    @Override
    public Serializer<T> serializer() {
        return typedSerializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return typedDeserializer;
    }

    // Sound because the deserializer's SPECIFIC_RECORD mode returns only the generated class the writer's schema
    // names; without a Class<T> the caller's T is all there is to check against.
    @SuppressWarnings("unchecked")
    private static <T> T uncheckedCast(Object value) {
        return (T) value;
    }
}
