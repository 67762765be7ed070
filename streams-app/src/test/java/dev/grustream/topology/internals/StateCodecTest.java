package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.history.SchemaHistory;
import dev.grustream.model.KeyStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    private static KeyState state(KeyStats stats) {
        KeyState state = KeyState.fresh("m", "1", 4, 1, stats);
        state.hidden()[2] = 0.5f;
        state.forecast()[0] = 3.25;
        state.errorMean()[0] = 0.1;
        state.errorVariance()[0] = 0.2;
        state.errorMeanAbsDeviation()[0] = 0.35;
        state.errorCount(7);
        state.advanced(1_000);
        state.alerted(900);
        state.scored(0.75);
        state.likelihoodStats()[0] = 1.5;
        state.likelihoodStats()[1] = 0.8;
        state.likelihoodStats()[2] = 0.04;
        state.likelihoodCount(6);
        state.rangeMin()[0] = -2.0;
        state.rangeMax()[0] = 9.0;
        state.rangeCount(7);
        return state;
    }

    @Test
    void roundTripsEveryField() {
        KeyState decoded = StateCodec.decode(StateCodec.encode(state(KeyStats.of(5, new double[] {2.0},
                new double[] {0.25}))));

        assertThat(decoded.modelName()).isEqualTo("m");
        assertThat(decoded.hidden()).containsExactly(0f, 0f, 0.5f, 0f);
        assertThat(decoded.forecast()).containsExactly(3.25);
        assertThat(decoded.hasForecast()).isTrue();
        assertThat(decoded.errorCount()).isEqualTo(7);
        assertThat(decoded.errorMeanAbsDeviation()).containsExactly(0.35);
        assertThat(decoded.step()).isEqualTo(1);
        assertThat(decoded.lastEventTime()).isEqualTo(1_000);
        assertThat(decoded.lastAlertTime()).isEqualTo(900);
        assertThat(decoded.lastAnomalyScore()).isEqualTo(0.75);
        assertThat(decoded.featureStats()).isEqualTo(KeyStats.of(5, new double[] {2.0}, new double[] {0.25}));
    }

    @Test
    void roundTripsTheLikelihoodStatisticsAndTheValueRange() {
        KeyState decoded = StateCodec.decode(StateCodec.encode(state(null)));

        assertThat(decoded.likelihoodCount()).isEqualTo(6);
        assertThat(decoded.likelihoodStats()).containsExactly(1.5, 0.8, 0.04);
        assertThat(decoded.rangeCount()).isEqualTo(7);
        assertThat(decoded.rangeMin()).containsExactly(-2.0);
        assertThat(decoded.rangeMax()).containsExactly(9.0);
    }

    @Test
    void roundTripsAMissingAnomalyScoreAsNaN() {
        KeyState state = state(null);
        state.scored(Double.NaN);

        assertThat(StateCodec.decode(StateCodec.encode(state)).lastAnomalyScore()).isNaN();
    }

    @Test
    void writesTheNewestPublishedVersion() {
        assertThat(StateCodec.encode(state(null))[0]).isEqualTo((byte) SchemaHistory.latestVersion("SeriesState"));
    }

    @Test
    void stateWithoutFeatureStatisticsRoundTrips() {
        assertThat(StateCodec.decode(StateCodec.encode(state(null))).featureStats()).isNull();
    }

    @Test
    void readsStateWrittenByVersionOne() throws IOException {
        Schema v1 = SchemaHistory.version("SeriesState", 1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("model_name", "m");
        old.put("model_version", "1");
        old.put("hidden", ByteBuffer.wrap(new byte[8]));
        old.put("step", 3L);
        old.put("last_event_time", 42L);
        old.put("forecast", List.of(1.5));
        GenericRecord residuals = new GenericData.Record(v1.getField("residuals").schema());
        residuals.put("count", 2L);
        residuals.put("mean", List.of(0.0));
        residuals.put("variance", List.of(1.0));
        old.put("residuals", residuals);
        old.put("last_alert_time", null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(1);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(v1).write(old, encoder);
        encoder.flush();

        KeyState decoded = StateCodec.decode(bytes.toByteArray());

        assertThat(decoded.step()).isEqualTo(3);
        assertThat(decoded.lastEventTime()).isEqualTo(42);
        assertThat(decoded.forecast()).containsExactly(1.5);
        assertThat(decoded.hidden()).hasSize(2);
        assertThat(decoded.featureStats()).isNull();
        assertThat(decoded.lastAnomalyScore()).isNaN();
        assertThat(decoded.likelihoodCount()).isZero();
        assertThat(decoded.likelihoodStats()).containsExactly(0.0, 0.0, 0.0);
        assertThat(decoded.rangeCount()).isZero();
        assertThat(decoded.rangeMin()).containsExactly(0.0);
        // sqrt(2/pi) * sd: the mean absolute deviation of Gaussian errors with the stored variance of 1.
        assertThat(decoded.errorMeanAbsDeviation()).containsExactly(Math.sqrt(2.0 / Math.PI));
    }
}
