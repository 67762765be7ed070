package dev.grustream.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.avro.history.SchemaHistory;
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

    private static KeyState sample(double score) {
        KeyState state = KeyState.fresh("m", "2", 2, 1);
        state.hidden()[0] = 0.5f;
        state.forecast()[0] = 3.25;
        state.errorMean()[0] = 0.1;
        state.errorVariance()[0] = 0.2;
        state.errorCount(4);
        state.advanced(1_000);
        state.scored(score);
        return state;
    }

    @Test
    void roundTripsTheLastAnomalyScore() {
        KeyState decoded = StateCodec.decode(StateCodec.encode(sample(0.75)));

        assertThat(decoded.lastAnomalyScore()).isEqualTo(0.75);
        assertThat(decoded.step()).isEqualTo(1);
        assertThat(decoded.forecast()).containsExactly(3.25);
    }

    @Test
    void roundTripsAMissingAnomalyScoreAsNaN() {
        assertThat(StateCodec.decode(StateCodec.encode(sample(Double.NaN))).lastAnomalyScore()).isNaN();
    }

    @Test
    void readsStateWrittenBeforeScoresWereKept() throws IOException {
        Schema v1 = SchemaHistory.version("SeriesState", 1);
        GenericRecord residuals = new GenericData.Record(v1.getField("residuals").schema());
        residuals.put("count", 4L);
        residuals.put("mean", List.of(0.1));
        residuals.put("variance", List.of(0.2));
        GenericRecord old = new GenericData.Record(v1);
        old.put("model_name", "m");
        old.put("model_version", "1");
        old.put("hidden", ByteBuffer.wrap(new byte[8]));
        old.put("step", 5L);
        old.put("last_event_time", 1_000L);
        old.put("forecast", List.of(3.25));
        old.put("residuals", residuals);
        old.put("last_alert_time", null);

        KeyState decoded = StateCodec.decode(versionOne(v1, old));

        assertThat(decoded.step()).isEqualTo(5);
        assertThat(decoded.lastAnomalyScore()).isNaN();
    }

    @Test
    void writesTheNewestPublishedVersion() {
        assertThat(StateCodec.encode(sample(0.5))[0]).isEqualTo((byte) SchemaHistory.latestVersion("SeriesState"));
    }

    private static byte[] versionOne(Schema v1, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
