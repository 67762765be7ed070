package dev.grustream.output;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serializers of the forecast and alert topics for an {@code output.layout} and {@code output.format}. The
 * processor always forwards {@link Forecast} and {@link AnomalyAlert} records; these turn them into what the topics
 * hold. Stateless.
 */
public final class OutputSerializers {
    private OutputSerializers() {
    }

    /**
     * The serializer of forecast records.
     *
     * @param flat whether {@code output.layout=flat}
     * @param json whether {@code output.format=json}
     * @param avro the Avro serializer for {@code output.format=avro}: of {@link Forecast}s when nested, of flat
     *     records when flat; unused for JSON
     */
    public static Serializer<Forecast> forecasts(boolean flat, boolean json, Serializer<Object> avro) {
        FlatRecords records = new FlatRecords();
        if (json) {
            return Converting.toJson(flat ? forecast -> JsonRecords.write(records.forecastFields(forecast))
                    : JsonRecords::of);
        }
        return Converting.toAvro(flat ? records::forecast : forecast -> forecast, avro);
    }

    /** The serializer of alert records, as {@link #forecasts} for forecasts. */
    public static Serializer<AnomalyAlert> alerts(boolean flat, boolean json, Serializer<Object> avro) {
        FlatRecords records = new FlatRecords();
        if (json) {
            return Converting.toJson(flat ? alert -> JsonRecords.write(records.alertFields(alert))
                    : JsonRecords::of);
        }
        return Converting.toAvro(flat ? records::alert : alert -> alert, avro);
    }

    /** Writes a record as JSON bytes, or converts it and hands it to an Avro serializer. */
    private static final class Converting<T> implements Serializer<T> {
        private final Function<T, byte[]> json;
        private final Function<T, Object> convert;
        private final Serializer<Object> avro;

        private Converting(Function<T, byte[]> json, Function<T, Object> convert, Serializer<Object> avro) {
            this.json = json;
            this.convert = convert;
            this.avro = avro;
        }

        static <T> Converting<T> toJson(Function<T, byte[]> json) {
            return new Converting<>(json, null, null);
        }

        static <T> Converting<T> toAvro(Function<T, Object> convert, Serializer<Object> avro) {
            return new Converting<>(null, convert, avro);
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            if (avro != null) {
                avro.configure(configs, isKey);
            }
        }

        @Override
        public byte[] serialize(String topic, T record) {
            return serialize(topic, null, record);
        }

        @Override
        public byte[] serialize(String topic, Headers headers, T record) {
            if (record == null) {
                return null;
            }
            return json != null ? json.apply(record) : avro.serialize(topic, headers, convert.apply(record));
        }

        @Override
        public void close() {
            if (avro != null) {
                avro.close();
            }
        }
    }
}
