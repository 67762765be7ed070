package dev.grustream.serde.benchmarks;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.serde.SpecificAvroSerde;

/**
 * Cost of one Forecast through the serde once its schema is cached: the per-record price the topology pays.
 * Run with {@code -prof gc} to see bytes allocated per operation.
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

    private SpecificAvroSerde<Forecast> serde;
    private Forecast forecast;
    private byte[] bytes;

    @Setup
    public void setUp() {
        serde = new SpecificAvroSerde<>(Forecast.class);
        serde.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://" + SCOPE), false);
        forecast = Forecast.newBuilder()
                .setKey("sensor-0001")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setModelName("gru-64")
                .setModelVersion("3")
                .setForecast(Map.of("cpu", List.of(0.25, 0.5, 0.75), "mem", List.of(0.5, 0.5, 0.5)))
                .setExpected(Map.of("cpu", 0.2, "mem", 0.4))
                .setAnomalyScore(0.5)
                .setAnomalous(false)
                .setStep(1234)
                .setStateReset(StateReset.NONE)
                .build();
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
}
