package dev.grustream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each level against three evolutions of one record: adding a field with a default (backward and forward
 * compatible), adding a required field (forward only), removing a required field (backward only).
 */
class CompatibilityLevelTest {
    private static final Schema V1 = record("{\"name\": \"a\", \"type\": \"int\"}");
    private static final Schema WITH_DEFAULTED_FIELD = record(
            "{\"name\": \"a\", \"type\": \"int\"}, {\"name\": \"b\", \"type\": \"int\", \"default\": 0}");
    private static final Schema WITH_REQUIRED_FIELD = record(
            "{\"name\": \"a\", \"type\": \"int\"}, {\"name\": \"b\", \"type\": \"int\"}");
    private static final Schema WITHOUT_FIELD = record("");

    @ParameterizedTest
    @CsvSource({
        "NONE, true, true, true",
        "BACKWARD, true, false, true",
        "FORWARD, true, true, false",
        "FULL, true, false, false",
        "BACKWARD_TRANSITIVE, true, false, true",
        "FORWARD_TRANSITIVE, true, true, false",
        "FULL_TRANSITIVE, true, false, false"
    })
    void judgesEachEvolutionAgainstTheLatestVersion(CompatibilityLevel level, boolean defaultedFieldAllowed,
                                                    boolean requiredFieldAllowed, boolean removedFieldAllowed) {
        assertThat(level.violations(WITH_DEFAULTED_FIELD, List.of(V1)).isEmpty()).isEqualTo(defaultedFieldAllowed);
        assertThat(level.violations(WITH_REQUIRED_FIELD, List.of(V1)).isEmpty()).isEqualTo(requiredFieldAllowed);
        assertThat(level.violations(WITHOUT_FIELD, List.of(V1)).isEmpty()).isEqualTo(removedFieldAllowed);
    }

    @ParameterizedTest
    @CsvSource({"BACKWARD, true", "BACKWARD_TRANSITIVE, false", "FULL, false", "NONE, true"})
    void transitiveLevelsCheckEveryEarlierVersion(CompatibilityLevel level, boolean allowed) {
        // Requires 'b' without a default: data of the latest version has it, data of V1 does not.
        Schema requiredB = record("{\"name\": \"b\", \"type\": \"int\"}");

        assertThat(level.violations(requiredB, List.of(V1, WITH_DEFAULTED_FIELD)).isEmpty()).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"BACKWARD", "FULL_TRANSITIVE"})
    void aFirstVersionIsAlwaysAllowed(CompatibilityLevel level) {
        assertThat(level.violations(V1, List.of())).isEmpty();
    }

    @Test
    void aViolationSaysWhereAndWhy() {
        assertThat(CompatibilityLevel.BACKWARD.violations(WITH_REQUIRED_FIELD, List.of(V1)))
                .singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT")
                .contains("b");
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": [" + fields + "]}");
    }
}
