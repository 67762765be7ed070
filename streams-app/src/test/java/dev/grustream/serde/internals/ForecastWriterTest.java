package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The hand-written forecast writer gives Avro's own writer's bytes. */
class ForecastWriterTest {

    @Test
    void writesTheBytesOfAvrosWriterForForecastsOfEveryShape() throws IOException {
        SplittableRandom random = new SplittableRandom(20261206);
        for (int i = 0; i < 500; i++) {
            Forecast forecast = randomForecast(random);

            assertThat(bytes(ForecastWriter.INSTANCE, forecast))
                    .as("forecast %d: %s", i, forecast)
                    .isEqualTo(bytes(new SpecificDatumWriter<>(Forecast.class), forecast));
        }
    }

    @Test
    void writesOnlyTheGeneratedClassOfItsSchema() {
        Forecast forecast = randomForecast(new SplittableRandom(1));

        assertThat(ForecastWriter.writes(forecast, Forecast.getClassSchema())).isTrue();
        assertThat(ForecastWriter.writes(forecast, SchemaBuilder.record("Forecast").namespace("dev.grustream.avro")
                .fields().requiredString("key").endRecord())).isFalse();
        assertThatThrownBy(() -> ForecastWriter.INSTANCE.setSchema(SchemaBuilder.builder().doubleType()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Forecast randomForecast(SplittableRandom random) {
        int targets = random.nextInt(4);
        int horizon = 1 + random.nextInt(13);
        boolean intervals = random.nextBoolean();
        Map<String, List<Double>> forecast = new LinkedHashMap<>();
        Map<String, List<Double>> lower = new LinkedHashMap<>();
        Map<String, List<Double>> upper = new LinkedHashMap<>();
        Map<String, Double> actual = new LinkedHashMap<>();
        Map<String, Double> expected = new LinkedHashMap<>();
        for (int t = 0; t < targets; t++) {
            String target = t == 1 ? "température-é" : "target-" + t;
            forecast.put(target, values(random, horizon, false));
            actual.put(target, random.nextDouble(-1e9, 1e9));
            expected.put(target, random.nextDouble());
            if (intervals) {
                lower.put(target, values(random, horizon, true));
                upper.put(target, values(random, horizon, true));
            }
        }
        StateReset[] resets = StateReset.values();
        return new Forecast(random.nextBoolean() ? "key-" + random.nextInt() : "", Instant.ofEpochMilli(
                random.nextLong(-1L << 42, 1L << 42)), "model", random.nextBoolean() ? "v" : "",
                forecast, random.nextBoolean() ? expected : null, random.nextDouble(), random.nextBoolean(),
                random.nextLong(Long.MAX_VALUE), resets[random.nextInt(resets.length)], actual, lower, upper);
    }

    private static List<Double> values(SplittableRandom random, int count, boolean someNull) {
        List<Double> values = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            values.add(someNull && random.nextInt(3) == 0 ? null : random.nextGaussian() * 1e3);
        }
        return values;
    }

    private static byte[] bytes(DatumWriter<? super Forecast> writer, Forecast forecast) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(forecast, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
