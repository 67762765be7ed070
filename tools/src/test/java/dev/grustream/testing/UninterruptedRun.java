package dev.grustream.testing;

import dev.grustream.avro.Forecast;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.GruModel;
import dev.grustream.testing.KafkaTestSupport.Input;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
}
