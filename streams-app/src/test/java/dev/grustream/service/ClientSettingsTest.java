package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.config.OperatorException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
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
    void mainConsumerPrefixedKeysWinForTheReaderOfTheObservations() {
        Map<String, Object> consumer = ClientSettings.mainConsumer(Map.of("sasl.jaas.config", "shared",
                "consumer.sasl.jaas.config", "reader", "main.consumer.sasl.jaas.config", "main",
                "restore.consumer.client.id", "restorer", "main.consumer.group.protocol", "consumer"));

        assertThat(consumer).containsOnly(Map.entry("sasl.jaas.config", "main"));
    }

    @Test
    void aPlugInsOwnSettingReachesEveryClientAsKafkaStreamsGivesItToItsOwn() {
        Map<String, Object> settings = Map.of("application.id", "app", "bootstrap.servers", "b:9092",
                "sasl.login.callback.handler.class", "com.acme.TokenHandler", "acme.token.endpoint", "https://idp",
                "main.consumer.client.id", "main", "topic.segment.bytes", "1048576", "batch.max.size", "64");
        assertThat(new StreamsConfig(settings).getAdminConfigs("client"))
                .containsEntry("acme.token.endpoint", "https://idp");

        for (Map<String, Object> client : List.of(ClientSettings.admin(settings), ClientSettings.consumer(settings),
                ClientSettings.mainConsumer(settings), ClientSettings.producer(settings))) {
            assertThat(client).containsEntry("acme.token.endpoint", "https://idp")
                    .containsEntry("sasl.login.callback.handler.class", "com.acme.TokenHandler")
                    .doesNotContainKeys("application.id", "main.consumer.client.id", "topic.segment.bytes",
                            "batch.max.size");
        }
    }

    @Test
    void aClientThatCannotBeCreatedFromTheSettingsIsReportedAsTheUsersToFix() {
        Map<String, Object> settings = Map.of("bootstrap.servers", "localhost:9", "security.protocol", "SSL",
                "ssl.truststore.location", "/nonexistent/truststore.jks", "ssl.truststore.password", "secret");

        assertThatThrownBy(() -> ClientSettings.create(() -> new KafkaProducer<>(ClientSettings.producer(settings),
                new StringSerializer(), new StringSerializer())))
                .isInstanceOf(OperatorException.class)
                .hasMessageStartingWith("Cannot create the Kafka clients: ")
                .hasMessageContaining("/nonexistent/truststore.jks")
                .hasMessageEndingWith("(check bootstrap.servers, security.protocol, sasl.* and ssl.*)");
    }

    @Test
    void aSettingAClientRefusesIsReportedAsItIsNamingTheSetting() {
        Map<String, Object> settings = Map.of("bootstrap.servers", "localhost:9", "acks", "some");

        assertThatThrownBy(() -> ClientSettings.create(() -> new KafkaProducer<>(ClientSettings.producer(settings),
                new StringSerializer(), new StringSerializer())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("acks");
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
