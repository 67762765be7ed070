package dev.grustream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.testing.TestingModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The names of the topology's nodes, stores and internal topics, written out: a store's name is its changelog's, so a
 * renamed store would start every key afresh on the next rolling upgrade and leave the old changelog behind, and a
 * renamed repartition would leave its unread records in a topic nothing reads. Renaming one must fail here first.
 */
class TopologyNamesTest {

    private static TopologyDescription describe(Map<String, String> settings) {
        Map<String, Object> props = new HashMap<>(settings);
        props.put("schema.registry.url", "mock://topology-names-test");
        GruStreamConfig config = new GruStreamConfig(props);
        return GruStreamTopology.build(ForecasterSettings.from(config), Topics.from(config),
                new ActiveModel(TestingModels.persistence("1")), new ForecasterMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC()).describe();
    }

    /** Each subtopology, in order, as the sorted names of its nodes and then of the stores its processors use. */
    private static List<String> names(TopologyDescription description) {
        return description.subtopologies().stream()
                .sorted((a, b) -> Integer.compare(a.id(), b.id()))
                .map(subtopology -> {
                    Set<String> nodes = subtopology.nodes().stream().map(TopologyDescription.Node::name)
                            .collect(Collectors.toCollection(TreeSet::new));
                    Set<String> stores = subtopology.nodes().stream()
                            .filter(TopologyDescription.Processor.class::isInstance)
                            .flatMap(node -> ((TopologyDescription.Processor) node).stores().stream())
                            .collect(Collectors.toCollection(TreeSet::new));
                    return nodes + " stores " + stores;
                })
                .toList();
    }

    @Test
    void theDefaultTopologyKeepsItsNames() {
        assertThat(names(describe(Map.of()))).containsExactly(
                "[alerts-sink, dead-letters-sink, forecaster, forecasts-sink, observations-source]"
                        + " stores [pending-observations, series-state]");
    }

    @Test
    void theRepartitioningTopologyKeepsItsNames() {
        TopologyDescription description = describe(Map.of("input.format", "json", "input.key.fields", "host",
                "input.time.field", "time", "input.features", "value=cpu", "input.repartition", "true"));

        assertThat(names(description)).containsExactly(
                "[observations-by-series-repartition-filter, observations-by-series-repartition-sink,"
                        + " observations-source, series-of-the-value] stores []",
                "[alerts-sink, dead-letters-sink, forecaster, forecasts-sink,"
                        + " observations-by-series-repartition-source] stores [pending-observations, series-state]");
        assertThat(description.subtopologies()).flatMap(TopologyDescription.Subtopology::nodes)
                .filteredOn(TopologyDescription.Source.class::isInstance)
                .flatMap(node -> ((TopologyDescription.Source) node).topicSet())
                .contains("observations-by-series-repartition");
    }
}
