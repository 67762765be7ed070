package dev.grustream.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.history.SchemaHistory;
import dev.grustream.model.KeyStats;
import dev.grustream.scoring.AnomalyLikelihood;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.scoring.ValueRange;
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

class KeyStateCodecTest {

    private static KeyState state(KeyStats stats) {
        return KeyState.restored("m", "1", stats, new float[] {0f, 0f, 0.5f, 0f}, 1,
                        ErrorStats.of(7, new double[] {0.1}, new double[] {0.2}, new double[] {0.35}),
                        AnomalyLikelihood.of(6, 1.5, 0.8, 0.04), ValueRange.of(7, new double[] {-2.0},
                                new double[] {9.0}), null)
                .restoreProgress(1, 1_000, 900, 0.75)
                .restoreForecast(new double[] {3.25});
    }

    @Test
    void roundTripsEveryField() {
        KeyState decoded = KeyStateCodec.decode(KeyStateCodec.encode(state(KeyStats.of(5, new double[] {2.0},
                new double[] {0.25}))));

        assertThat(decoded.modelName()).isEqualTo("m");
        assertThat(decoded.hidden()).containsExactly(0f, 0f, 0.5f, 0f);
        assertThat(decoded.forecast(0)).isEqualTo(3.25);
        assertThat(decoded.hasForecast()).isTrue();
        assertThat(decoded.errors()).isEqualTo(ErrorStats.of(7, new double[] {0.1}, new double[] {0.2},
                new double[] {0.35}));
        assertThat(decoded.step()).isEqualTo(1);
        assertThat(decoded.lastEventTime()).isEqualTo(1_000);
        assertThat(decoded.lastAlertTime()).isEqualTo(900);
        assertThat(decoded.lastAnomalyScore()).isEqualTo(0.75);
        assertThat(decoded.features()).isEqualTo(KeyStats.of(5, new double[] {2.0}, new double[] {0.25}));
    }

    @Test
    void roundTripsTheLikelihoodStatisticsAndTheValueRange() {
        KeyState decoded = KeyStateCodec.decode(KeyStateCodec.encode(state(null)));

        assertThat(decoded.likelihood()).isEqualTo(AnomalyLikelihood.of(6, 1.5, 0.8, 0.04));
        assertThat(decoded.range()).isEqualTo(ValueRange.of(7, new double[] {-2.0}, new double[] {9.0}));
    }

    @Test
    void roundTripsAMissingAnomalyScoreAsNaN() {
        KeyState state = state(null).restoreProgress(1, 1_000, 900, Double.NaN);

        assertThat(KeyStateCodec.decode(KeyStateCodec.encode(state)).lastAnomalyScore()).isNaN();
    }

    @Test
    void writesTheNewestPublishedVersion() {
        assertThat(KeyStateCodec.encode(state(null))[0]).isEqualTo((byte) SchemaHistory.latestVersion("SeriesState"));
    }

    @Test
    void stateWithoutFeatureStatisticsRoundTrips() {
        assertThat(KeyStateCodec.decode(KeyStateCodec.encode(state(null))).features()).isNull();
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

        KeyState decoded = KeyStateCodec.decode(bytes.toByteArray());

        assertThat(decoded.step()).isEqualTo(3);
        assertThat(decoded.lastEventTime()).isEqualTo(42);
        assertThat(decoded.forecast(0)).isEqualTo(1.5);
        assertThat(decoded.hidden()).hasSize(2);
        assertThat(decoded.features()).isNull();
        assertThat(decoded.lastAnomalyScore()).isNaN();
        assertThat(decoded.likelihood()).isEqualTo(AnomalyLikelihood.empty());
        assertThat(decoded.range()).isEqualTo(ValueRange.empty(1));
        // sqrt(2/pi) * sd: the mean absolute deviation of Gaussian errors with the stored variance of 1.
        assertThat(decoded.errors().meanAbsDeviation(0)).isEqualTo(Math.sqrt(2.0 / Math.PI));
    }
}
