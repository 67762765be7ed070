package dev.grustream.testing;

import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.testing.KafkaTestSupport.Input;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What an undisturbed run of the topology forecasts: the yardstick of the crash, failover and outage tests. */
public final class UninterruptedRun {
    private UninterruptedRun() {
    }

    /**
     * The forecasts of {@code inputs} run through the topology in a {@link TopologyHarness}, one observation per
     * batch and with no event time refused as too far in the future, by {@link #id}.
     */
    public static Map<String, Forecast> forecasts(GruModel model, List<Input> inputs) {
        try (TopologyHarness harness = new TopologyHarness(model, Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1",
                GruStreamConfig.FUTURE_TOLERANCE_MS, String.valueOf(Long.MAX_VALUE / 2)))) {
            inputs.forEach(input -> harness.send(input.key(), input.observation()));
            Map<String, Forecast> forecasts = new HashMap<>();
            harness.forecastValues().forEach(f -> forecasts.put(id(f), f));
            return forecasts;
        }
    }

    /** A forecast's identity: its key and the event time it was made at, which each observation has once. */
    public static String id(Forecast forecast) {
        return forecast.getKey() + "@" + forecast.getEventTime().toEpochMilli();
    }

    /** The forecasts of {@code records} by {@link #id}; a later record of an id replaces an earlier one. */
    public static Map<String, Forecast> byId(List<ConsumerRecord<String, Forecast>> records) {
        Map<String, Forecast> byId = new HashMap<>();
        records.forEach(r -> byId.put(id(r.value()), r.value()));
        return byId;
    }

    /**
     * How {@code read} differs from one forecast per id of {@code expected}, in a line a failed test can print instead
     * of every record: how many were read, how many ids came twice (and the first few), how many never came (and the
     * first few), and the last offset read per partition.
     */
    public static String difference(List<ConsumerRecord<String, Forecast>> read, Map<String, Forecast> expected) {
        Map<String, Long> counts = read.stream().collect(Collectors.groupingBy(r -> id(r.value()), TreeMap::new,
                Collectors.counting()));
        List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        List<String> missing = expected.keySet().stream().filter(id -> !counts.containsKey(id)).sorted().toList();
        Map<Integer, Long> lastOffsets = read.stream().collect(Collectors.toMap(ConsumerRecord::partition,
                ConsumerRecord::offset, Math::max, TreeMap::new));
        return String.format(Locale.ROOT,
                "read %d of %d; %d ids twice %s; %d ids missing %s; last offset per partition %s", read.size(),
                expected.size(), twice.size(), firstFew(twice), missing.size(), firstFew(missing), lastOffsets);
    }

    private static List<String> firstFew(List<String> ids) {
        return ids.subList(0, Math.min(5, ids.size()));
    }
}
