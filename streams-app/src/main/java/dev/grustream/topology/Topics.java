package dev.grustream.topology;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.avro.Observation;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.serde.SpecificAvroSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics gru-stream reads and writes, each with the serdes of its records: the one place where a topic name
 * meets its format.
 *
 * <p>Keys are the series id as a UTF-8 string. Values of the observation, forecast and alert topics are Avro in the
 * Confluent wire format, through serdes configured with the instance's {@code schema.registry.*} and Avro serde
 * settings. Dead letters keep the bytes they arrived with.
 *
 * <p>Immutable; the serdes are thread-safe as Kafka requires.
 */
public final class Topics {
    private final String observations;
    private final String forecasts;
    private final String alerts;
    private final String deadLetters;
    private final Serde<Observation> observationSerde;
    private final Serde<Forecast> forecastSerde;
    private final Serde<AnomalyAlert> alertSerde;

    private Topics(GruStreamConfig config) {
        this.observations = config.getString(GruStreamConfig.TOPIC_OBSERVATIONS);
        this.forecasts = config.getString(GruStreamConfig.TOPIC_FORECASTS);
        this.alerts = config.getString(GruStreamConfig.TOPIC_ALERTS);
        this.deadLetters = config.getString(GruStreamConfig.TOPIC_DEAD_LETTERS);
        Map<String, Object> serdeConfig = config.passThrough();
        this.observationSerde = valueSerde(Observation.class, serdeConfig);
        this.forecastSerde = valueSerde(Forecast.class, serdeConfig);
        this.alertSerde = valueSerde(AnomalyAlert.class, serdeConfig);
    }

    /** The topics and serdes of {@code config}. */
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

    public Serde<Observation> observationSerde() {
        return observationSerde;
    }

    public Serde<Forecast> forecastSerde() {
        return forecastSerde;
    }

    public Serde<AnomalyAlert> alertSerde() {
        return alertSerde;
    }
}
