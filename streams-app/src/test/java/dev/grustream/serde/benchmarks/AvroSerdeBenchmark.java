package dev.grustream.serde.benchmarks;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.serde.SpecificAvroSerde;
import dev.grustream.serde.internals.ForecastWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one forecast of the bundled model's shape (one target, 12 steps, their interval bounds) through the serde
 * once its schema is cached, the per-record price the topology pays, and of writing its body alone with Avro's
 * specific writer against {@link ForecastWriter}, which the serde uses. Run with {@code -prof gc} to see bytes
 * allocated per operation: {@code src/bench/model-step.sh dev.grustream.serde.benchmarks.AvroSerdeBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AvroSerdeBenchmark {
    private static final String SCOPE = "AvroSerdeBenchmark";
    private static final String TOPIC = "forecasts";
    private static final int STEPS = 12;

    private SpecificAvroSerde<Forecast> serde;
    private Forecast forecast;
    private byte[] bytes;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;
    private final DatumWriter<Forecast> avrosWriter = new SpecificDatumWriter<>(Forecast.class);

    @Setup
    public void setUp() {
        serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + SCOPE), false);
        List<Double> steps = new ArrayList<>();
        List<Double> lower = new ArrayList<>();
        List<Double> upper = new ArrayList<>();
        for (int k = 1; k <= STEPS; k++) {
            steps.add(41.5 + 0.25 * k);
            lower.add(40.0 + 0.2 * k);
            upper.add(43.0 + 0.3 * k);
        }
        forecast = new Forecast("sensor-0001", Instant.ofEpochMilli(1_700_000_000_000L), "gru-stream-default", "3",
                Map.of("value", steps), Map.of("value", 41.2), 0.5, false, 1234L, StateReset.NONE,
                Map.of("value", 41.4), Map.of("value", lower), Map.of("value", upper));
        bytes = serde.serializer().serialize(TOPIC, forecast);
    }

    @TearDown
    public void tearDown() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Benchmark
    public byte[] serialize() {
        return serde.serializer().serialize(TOPIC, forecast);
    }

    @Benchmark
    public Forecast deserialize() {
        return serde.deserializer().deserialize(TOPIC, bytes);
    }

    @Benchmark
    public byte[] bodyWithAvrosSpecificWriter() throws IOException {
        return body(avrosWriter);
    }

    @Benchmark
    public byte[] bodyWithForecastWriter() throws IOException {
        return body(ForecastWriter.INSTANCE);
    }

    private byte[] body(DatumWriter<? super Forecast> writer) throws IOException {
        out.reset();
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        writer.write(forecast, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
