package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** ModelSpec's derived sizes and index maps; field validation through model.json is in ModelLoaderTest. */
class ModelSpecTest {

    private final ModelSpec spec = TestModels.spec(GateVariant.RESET_BEFORE, 8, 3).build();

    @Test
    void derivesSizes() {
        assertThat(spec.featureCount()).isEqualTo(3);
        assertThat(spec.targetCount()).isEqualTo(2);
        assertThat(spec.stateSize()).isEqualTo(24);
        assertThat(spec.forecastSize()).isEqualTo(2);
        assertThat(spec.inputSize(0)).isEqualTo(3);
        assertThat(spec.inputSize(2)).isEqualTo(8);
    }

    @Test
    void mapsTargetsToFeaturesAndBack() {
        assertThat(spec.targetFeatureIndex(0)).isEqualTo(1);
        assertThat(spec.targetFeatureIndex(1)).isEqualTo(0);
        assertThat(spec.featureTargetIndex(0)).isEqualTo(1);
        assertThat(spec.featureTargetIndex(2)).isEqualTo(-1);
    }

    @Test
    void denormalisesATargetWithItsFeaturesStatistics() {
        assertThat(spec.denormaliseTarget(0, 1f)).isEqualTo(-3 + 0.2);
        assertThat(spec.denormaliseTarget(1, 1f)).isEqualTo(115.0);
    }

    @Test
    void forecastSizeCoversTheHorizon() {
        ModelSpec ahead = spec.toBuilder().targets("errors", "load", "latency").horizon(4).build();

        assertThat(ahead.forecastSize()).isEqualTo(12);
    }

    @Test
    void rebuildsAnEqualSpec() {
        assertThat(spec.toBuilder().build()).isEqualTo(spec).hasSameHashCodeAs(spec);
    }

    @Test
    void rejectsABlankName() {
        assertThatThrownBy(() -> spec.toBuilder().name(" ").build())
                .hasMessage("name: expected a non-empty string, found \" \"");
    }

    @Test
    void rejectsNoFeatures() {
        assertThatThrownBy(() -> spec.toBuilder().features().build())
                .hasMessage("features: expected at least one name, found none");
    }

    @Test
    void aRecursiveHorizonRefusesCalendarInputs() {
        assertThatThrownBy(() -> spec.toBuilder().features("load").targets("load")
                .normalization(Normalization.fixed(new double[1], new double[] {1})).horizon(3)
                .multiStep(MultiStep.RECURSIVE).calendar(CalendarFeature.TIME_OF_DAY).build())
                .hasMessageStartingWith("calendar: a recursive horizon feeds forecasts back as inputs");
    }

    @Test
    void aHorizonBeyondWhatKeysLearnIsRefused() {
        assertThatThrownBy(() -> spec.toBuilder().horizon(ModelSpec.MAX_HORIZON + 1).build())
                .hasMessageStartingWith("horizon: expected at most 64");
    }

    @Test
    void aRecursiveHorizonRefusesATimeZoneItsFormatCannotRecord() {
        assertThatThrownBy(() -> spec.toBuilder().features("load").targets("load")
                .normalization(Normalization.fixed(new double[1], new double[] {1})).horizon(3)
                .multiStep(MultiStep.RECURSIVE).timeZone(ZoneId.of("Europe/Paris")).build())
                .hasMessageStartingWith("time_zone: a recursive horizon is written in format");
    }

    @Test
    void aDirectHorizonTakesAnyFeaturesAndCalendarInputs() {
        ModelSpec direct = spec.toBuilder().horizon(12).calendar(CalendarFeature.TIME_OF_DAY,
                CalendarFeature.DAY_OF_WEEK).build();

        assertThat(direct.inputCount()).isEqualTo(direct.featureCount() + 4);
        assertThat(direct.headSize()).isEqualTo(12 * direct.targetCount());
        assertThat(direct.format()).isEqualTo(ModelSpec.FORMAT_V2);
    }

    @Test
    void rejectsACalendarInputTwice() {
        assertThatThrownBy(() -> spec.toBuilder().calendar(CalendarFeature.TIME_OF_DAY, CalendarFeature.TIME_OF_DAY)
                .build()).hasMessageStartingWith("calendar: expected each input at most once");
    }
}
