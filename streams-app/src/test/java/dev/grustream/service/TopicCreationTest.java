package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopicCreationTest {

    @Test
    void partitionsAndReplicasMustBePositive() {
        assertThatThrownBy(() -> new TopicCreation(true, OptionalInt.of(0), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new TopicCreation(true, OptionalInt.empty(), Optional.of((short) 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void partitionsWithoutCreatingAreRefused() {
        assertThatThrownBy(() -> new TopicCreation(false, OptionalInt.of(3), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only to topics created");
    }

    @Test
    void theChangelogsMinimumOfInSyncReplicasIsEveryCreatedTopics() {
        assertThat(TopicCreation.durabilityOf(Map.of("topic.min.insync.replicas", "2", "topic.segment.ms", "60000")))
                .containsExactly(Map.entry("min.insync.replicas", "2"));
        assertThat(TopicCreation.durabilityOf(Map.of("min.insync.replicas", "2"))).isEmpty();
    }
}
