package dev.grustream.service;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The settings of gru-stream's own admin clients, taken as Kafka Streams takes its admin client's. Stateless. */
final class AdminClientSettings {
    private AdminClientSettings() {
    }

    /**
     * The admin client's keys of {@code settings}, then its keys prefixed {@code admin.} (which win), prefix removed:
     * what reaches Kafka Streams' own admin client reaches gru-stream's.
     */
    static Map<String, Object> of(Map<String, Object> settings) {
        Map<String, Object> admin = new HashMap<>();
        settings.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                admin.put(key, value);
            }
        });
        settings.forEach((key, value) -> {
            if (key.startsWith(StreamsConfig.ADMIN_CLIENT_PREFIX)) {
                admin.put(key.substring(StreamsConfig.ADMIN_CLIENT_PREFIX.length()), value);
            }
        });
        return admin;
    }
}
