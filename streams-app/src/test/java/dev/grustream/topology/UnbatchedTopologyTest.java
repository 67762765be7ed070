package dev.grustream.topology;

import dev.grustream.config.GruStreamConfig;
import java.util.Map;

/** The topology contract with {@code batch.max.size = 1}: every observation advanced on its own. */
class UnbatchedTopologyTest extends ForecastTopologyContract {
    @Override
    Map<String, String> batchSettings() {
        return Map.of(GruStreamConfig.BATCH_MAX_SIZE, "1");
    }
}
