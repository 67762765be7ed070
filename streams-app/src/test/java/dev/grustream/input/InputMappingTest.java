package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputMappingTest {

    @Test
    void featuresNotNamedAreReadFromTheTopLevelFieldOfTheirName() {
        InputMapping mapping = InputMapping.parse(List.of(), "", List.of("cpu=metrics.cpu"));

        assertThat(mapping.featurePaths(List.of("cpu", "mem"))).containsExactly(
                Map.entry("cpu", FieldPath.parse("metrics.cpu")), Map.entry("mem", FieldPath.parse("mem")));
    }

    @Test
    void malformedSettingsAreNamed() {
        assertThatThrownBy(() -> InputMapping.parse(List.of(), "", List.of("cpu")))
                .hasMessageContaining("'cpu' is not FEATURE=PATH");
        assertThatThrownBy(() -> InputMapping.parse(List.of(), "", List.of("cpu=a", "cpu=b")))
                .hasMessageContaining("mapped twice");
        assertThatThrownBy(() -> InputMapping.parse(List.of("tags..host"), "", List.of()))
                .hasMessageContaining("empty field name");
    }
}
