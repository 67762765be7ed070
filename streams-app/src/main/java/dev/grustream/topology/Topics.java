package dev.grustream.topology;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.input.AvroObservationReader;
import dev.grustream.input.GenericAvroObservationReader;
import dev.grustream.input.InputMapping;
import dev.grustream.input.JsonObservationReader;
import dev.grustream.input.ObservationReader;
import dev.grustream.input.RecordKeyDeserializer;
import dev.grustream.output.OutputSerializers;
import dev.grustream.serde.AvroDeserializer;
import dev.grustream.serde.AvroSerializer;
import dev.grustream.serde.GenericAvroSerde;
import dev.grustream.serde.SpecificAvroSerde;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The topics gru-stream reads and writes, each with the format of its records: the one place where a topic name
 * meets its format.
 *
 * <p>Keys are the series id as a UTF-8 string. The observations topic is read in {@code input.format}: gru-stream's
 * Avro Observation (the default), JSON, or any Avro record, the last two mapped by {@code input.*}. The forecast and
 * alert topics are written in {@code output.layout} and {@code output.format}: by default the Avro Forecast and
 * AnomalyAlert records. Avro goes through the schema registry in the Confluent wire format, with serdes configured
 * from the instance's {@code schema.registry.*} and Avro serde settings, or with the classes named by
 * {@code input.value.deserializer} and {@code output.value.serializer}. Dead letters keep the bytes they arrived
 * with.
 *
 * <p>Thread-safe; every serde is created when first asked for, so that a deployment without Avro needs no registry.
 */
public final class Topics {
    private final String observations;
    private final String forecasts;
    private final String alerts;
    private final String deadLetters;
    private final GruStreamConfig config;
    private final Map<String, Object> serdeConfig;
    private Serde<Observation> observationSerde;
    private Serde<Forecast> forecastSerde;
    private Serde<AnomalyAlert> alertSerde;

    private Topics(GruStreamConfig config) {
        this.observations = config.getString(GruStreamConfig.TOPIC_OBSERVATIONS);
        this.forecasts = config.getString(GruStreamConfig.TOPIC_FORECASTS);
        this.alerts = config.getString(GruStreamConfig.TOPIC_ALERTS);
        this.deadLetters = config.getString(GruStreamConfig.TOPIC_DEAD_LETTERS);
        this.config = config;
        this.serdeConfig = config.passThrough();
    }

    /** The topics and formats of {@code config}. */
    public static Topics from(GruStreamConfig config) {
        return new Topics(config);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Serde<T> valueSerde(Class<T> type,
            Map<String, Object> config) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    public String observations() {
        return observations;
    }

    public String forecasts() {
        return forecasts;
    }

    public String alerts() {
        return alerts;
    }

    public String deadLetters() {
        return deadLetters;
    }

    public Serde<String> keySerde() {
        return Serdes.String();
    }

    /**
     * The reader of the observations' record keys: strict UTF-8 where the record key names the series (no
     * {@code input.key.fields}), so that two keys never share one series; byte for byte where a value's fields do
     * ({@link RecordKeyDeserializer#opaque()}), so that a dead letter carries the key as it came.
     */
    public Deserializer<String> observationKeyDeserializer() {
        return config.getList(GruStreamConfig.INPUT_KEY_FIELDS).isEmpty() ? new RecordKeyDeserializer()
                : RecordKeyDeserializer.opaque();
    }

    /** gru-stream's own Observation records in Avro: what {@code input.format=avro} reads and the tools write. */
    public synchronized Serde<Observation> observationSerde() {
        if (observationSerde == null) {
            observationSerde = valueSerde(Observation.class, serdeConfig);
        }
        return observationSerde;
    }

    /** The nested Avro Forecast records of the default output. */
    public synchronized Serde<Forecast> forecastSerde() {
        if (forecastSerde == null) {
            forecastSerde = valueSerde(Forecast.class, serdeConfig);
        }
        return forecastSerde;
    }

    /** The nested Avro AnomalyAlert records of the default output. */
    public synchronized Serde<AnomalyAlert> alertSerde() {
        if (alertSerde == null) {
            alertSerde = valueSerde(AnomalyAlert.class, serdeConfig);
        }
        return alertSerde;
    }

    /**
     * A reader of the observations topic in {@code input.format}, configured.
     *
     * @param modelFeatures the serving model's features, which the JSON and generic Avro readers look for
     * @throws ConfigException if the input mapping or the deserializer class is unusable
     */
    public ObservationReader observationReader(Supplier<List<String>> modelFeatures) {
        String format = config.getString(GruStreamConfig.INPUT_FORMAT);
        InputMapping mapping = inputMapping();
        return switch (format) {
            case "json" -> new JsonObservationReader(mapping, modelFeatures);
            case "avro-generic" -> new GenericAvroObservationReader(valueDeserializer(() -> {
                GenericAvroSerde serde = new GenericAvroSerde();
                Map<String, Object> keepingBytes = new HashMap<>(serdeConfig);
                // The reader refuses series ids whose bytes are not UTF-8, so it needs the bytes.
                keepingBytes.put(AvroDeserializer.KEEP_STRING_BYTES, true);
                serde.configure(keepingBytes, false);
                return serde.deserializer();
            }), mapping, modelFeatures);
            default -> new AvroObservationReader(valueDeserializer(() -> observationSerde().deserializer()));
        };
    }

    /**
     * Checks the input mapping against the serving model's features (a swap keeps them).
     *
     * @throws ConfigException naming {@code input.features} when it maps a feature the model does not have
     */
    public void checkInputMapping(List<String> modelFeatures) {
        try {
            inputMapping().checkFeatures(modelFeatures);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(GruStreamConfig.INPUT_FEATURES + ": " + e.getMessage());
        }
    }

    private InputMapping inputMapping() {
        try {
            return InputMapping.parse(config.getList(GruStreamConfig.INPUT_KEY_FIELDS),
                    config.getString(GruStreamConfig.INPUT_TIME_FIELD), config.getList(GruStreamConfig.INPUT_FEATURES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("input.* mapping: " + e.getMessage());
        }
    }

    /** The serializer of the forecasts topic in {@code output.layout} and {@code output.format}, configured. */
    public Serializer<Forecast> forecastSerializer() {
        return OutputSerializers.forecasts(flat(), json(), json() ? null : avroSerializer());
    }

    /** The serializer of the alerts topic in {@code output.layout} and {@code output.format}, configured. */
    public Serializer<AnomalyAlert> alertSerializer() {
        return OutputSerializers.alerts(flat(), json(), json() ? null : avroSerializer());
    }

    private boolean flat() {
        return config.getString(GruStreamConfig.OUTPUT_LAYOUT).equals("flat");
    }

    private boolean json() {
        return config.getString(GruStreamConfig.OUTPUT_FORMAT).equals("json");
    }

    private Deserializer<?> valueDeserializer(Supplier<Deserializer<?>> ours) {
        Class<?> type = config.getClass(GruStreamConfig.INPUT_VALUE_DESERIALIZER);
        if (type == null) {
            return ours.get();
        }
        Deserializer<?> deserializer = Utils.newInstance(type, Deserializer.class);
        deserializer.configure(serdeConfig, false);
        return deserializer;
    }

    @SuppressWarnings("unchecked")
    private Serializer<Object> avroSerializer() {
        Class<?> type = config.getClass(GruStreamConfig.OUTPUT_VALUE_SERIALIZER);
        Serializer<Object> serializer = type == null ? new AvroSerializer()
                : (Serializer<Object>) Utils.newInstance(type, Serializer.class);
        serializer.configure(serdeConfig, false);
        return serializer;
    }
}
