package dev.grustream.bench;

import dev.grustream.avro.Forecast;
import dev.grustream.avro.StateReset;
import dev.grustream.input.InboundObservation;
import dev.grustream.topology.EventTimeExtractor;
import dev.grustream.topology.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The benchmark's yardstick: gru-stream's source (same deserializer and event-time extractor), a per-key state of
 * the same size in the same kind of store, a trivial read-modify-write of it per record, and one Forecast per
 * record through the same sink serde. What Kafka Streams itself costs, without the model.
 *
 * <p>Stateless and thread-safe.
 */
final class BaselineTopology {
    static final String STORE = "baseline-state";

    private BaselineTopology() {
    }

    static Topology build(Topics topics, List<String> features, int stateBytes, boolean caching,
            long futureToleranceMs) {
        Topology topology = new Topology();
        topology.addSource(AutoOffsetReset.earliest(), "source", new EventTimeExtractor(Clock.systemUTC(),
                futureToleranceMs), topics.observationKeyDeserializer(), topics.observationReader(() -> features),
                topics.observations());
        topology.addProcessor("trivial", () -> new TrivialUpdate(stateBytes), "source");
        StoreBuilder<KeyValueStore<String, byte[]>> store = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of());
        topology.addStateStore(caching ? store.withCachingEnabled() : store.withCachingDisabled(), "trivial");
        topology.addSink("sink", topics.forecasts(), topics.keySerde().serializer(),
                topics.forecastSerde().serializer(), "trivial");
        return topology;
    }

    /** Reads the key's state, changes a byte, writes it back, forwards one small forecast. */
    private static final class TrivialUpdate implements Processor<String, InboundObservation, String, Forecast> {
        private final int stateBytes;
        private ProcessorContext<String, Forecast> context;
        private KeyValueStore<String, byte[]> store;

        TrivialUpdate(int stateBytes) {
            this.stateBytes = stateBytes;
        }

        @Override
        public void init(ProcessorContext<String, Forecast> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, InboundObservation> record) {
            byte[] state = store.get(record.key());
            byte[] next = state == null ? new byte[stateBytes] : state.clone();
            next[0]++;
            store.put(record.key(), next);
            double value = record.value().features().getOrDefault("value", 0.0);
            context.forward(record.withValue(Forecast.newBuilder()
                    .setKey(record.key())
                    .setEventTime(Instant.ofEpochMilli(record.value().eventTime()))
                    .setModelName("baseline")
                    .setModelVersion("1")
                    .setForecast(Map.of("value", List.of(value)))
                    .setExpected(null)
                    .setAnomalyScore(0.0)
                    .setAnomalous(false)
                    .setStep(next[0])
                    .setStateReset(StateReset.NONE)
                    .build()));
        }
    }
}
