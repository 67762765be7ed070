package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

    @Test
    void keepsTheAdminClientsKeysAndDropsTheOthers() {
        Map<String, Object> admin = ClientSettings.admin(Map.of("bootstrap.servers", "b:9092",
                "security.protocol", "SSL", "batch.max.size", "64", "linger.ms", "5"));

        assertThat(admin).containsOnly(Map.entry("bootstrap.servers", "b:9092"), Map.entry("security.protocol", "SSL"));
    }

    @Test
    void adminPrefixedKeysWinWithoutTheirPrefix() {
        Map<String, Object> admin = ClientSettings.admin(Map.of("request.timeout.ms", "30000",
                "admin.request.timeout.ms", "5000", "admin.client.id", "ops"));

        assertThat(admin).containsOnly(Map.entry("request.timeout.ms", "5000"), Map.entry("client.id", "ops"));
    }

    @Test
    void consumerPrefixedKeysWinForTheConsumerWithoutTheirPrefix() {
        Map<String, Object> consumer = ClientSettings.consumer(Map.of("bootstrap.servers", "b:9092",
                "sasl.jaas.config", "shared", "consumer.sasl.jaas.config", "reader", "admin.client.id", "ops",
                "linger.ms", "5"));

        assertThat(consumer).containsOnly(Map.entry("bootstrap.servers", "b:9092"),
                Map.entry("sasl.jaas.config", "reader"));
    }

    @Test
    void theConsumersLeaveOutTheGroupProtocolKafkaStreamsNamesAlike() {
        Map<String, Object> consumer = ClientSettings.consumer(Map.of("bootstrap.servers", "b:9092",
                "group.protocol", "streams", "consumer.group.remote.assignor", "uniform"));

        assertThat(consumer).containsOnly(Map.entry("bootstrap.servers", "b:9092"));
    }

    @Test
    void prefixedKeysOfAPlugInPassThrough() {
        Map<String, Object> admin = ClientSettings.admin(Map.of("admin.my.callback.realm", "ops"));

        assertThat(admin).containsOnly(Map.entry("my.callback.realm", "ops"));
    }

    @Test
    void producerPrefixedKeysWinForTheProducer() {
        Map<String, Object> producer = ClientSettings.producer(Map.of("sasl.jaas.config", "shared",
                "producer.sasl.jaas.config", "writer", "consumer.sasl.jaas.config", "reader"));

        assertThat(producer).containsOnly(Map.entry("sasl.jaas.config", "writer"));
    }
}
