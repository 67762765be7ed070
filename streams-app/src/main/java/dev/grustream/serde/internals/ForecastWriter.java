package dev.grustream.serde.internals;

import dev.grustream.avro.Forecast;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;

/**
 * Writes a {@link Forecast} field by field through Avro's {@link Encoder}, giving the bytes Avro's
 * {@code SpecificDatumWriter} gives for {@link Forecast#getClassSchema()}, the only schema it accepts.
 *
 * <p>Written by hand because the service writes one forecast per event and Avro's code generator gives no fast path
 * to a record with a logical-type field ({@code event_time}): its specific writer resolves every field, every
 * nullable interval bound's union and the timestamp's conversion by looking them up, which cost more than half of
 * serialising a forecast in the benchmark (docs/performance.md). {@code ForecastWriterTest} checks the bytes against
 * Avro's writer.
 *
 * <p>Thread-safe: its only state, the bytes of recent strings, is kept per thread.
 */
public final class ForecastWriter implements DatumWriter<Object> {
    public static final ForecastWriter INSTANCE = new ForecastWriter();

    /**
     * Each thread's UTF-8 bytes of the last model name and version and of the last four target names it wrote: the
     * same strings come in every forecast of a model, and encoding them was a fifth of writing one.
     */
    private static final ThreadLocal<Utf8Memo> MEMOS = ThreadLocal.withInitial(Utf8Memo::new);

    private ForecastWriter() {
    }

    /** Whether this writer writes {@code data} of {@code schema}: a {@link Forecast} of its generated schema. */
    public static boolean writes(Object data, Schema schema) {
        return data instanceof Forecast && schema == Forecast.getClassSchema();
    }

    @Override
    public void setSchema(Schema schema) {
        if (schema != Forecast.getClassSchema()) {
            throw new IllegalArgumentException("writes only " + Forecast.getClassSchema().getFullName()
                    + " of its generated class");
        }
    }

    @Override
    public void write(Object datum, Encoder out) throws IOException {
        Forecast forecast = (Forecast) datum;
        out.writeString(forecast.getKey());
        out.writeLong(forecast.getEventTime().toEpochMilli());
        Utf8Memo memo = MEMOS.get();
        memo.modelName.write(forecast.getModelName(), out);
        memo.modelVersion.write(forecast.getModelVersion(), out);
        writeArrayMap(forecast.getForecast(), false, memo, out);
        Map<String, Double> expected = forecast.getExpected();
        if (expected == null) {
            out.writeIndex(0);
        } else {
            out.writeIndex(1);
            writeDoubleMap(expected, memo, out);
        }
        out.writeDouble(forecast.getAnomalyScore());
        out.writeBoolean(forecast.getAnomalous());
        out.writeLong(forecast.getStep());
        out.writeEnum(forecast.getStateReset().ordinal());
        writeDoubleMap(forecast.getActual(), memo, out);
        writeArrayMap(forecast.getLower(), true, memo, out);
        writeArrayMap(forecast.getUpper(), true, memo, out);
    }

    /**
     * The UTF-8 bytes of the last few strings of one field, each kept while the field meets that same object again
     * (strings are immutable, so the same object has the same bytes); beyond {@code size} strings in turn, the oldest
     * is replaced.
     */
    private static final class RecentStrings {
        private final String[] strings;
        private final byte[][] utf8;
        private int next;

        RecentStrings(int size) {
            strings = new String[size];
            utf8 = new byte[size][];
        }

        void write(String value, Encoder out) throws IOException {
            int at = 0;
            while (at < strings.length && strings[at] != value) {
                at++;
            }
            if (at == strings.length) {
                at = next;
                next = (next + 1) % strings.length;
                strings[at] = value;
                utf8[at] = value.getBytes(StandardCharsets.UTF_8);
            }
            // An Avro string is written as bytes are: its length, then its UTF-8 bytes.
            out.writeBytes(utf8[at]);
        }
    }

    private static final class Utf8Memo {
        final RecentStrings modelName = new RecentStrings(1);
        final RecentStrings modelVersion = new RecentStrings(1);
        final RecentStrings target = new RecentStrings(4);
    }

    private static void writeDoubleMap(Map<String, Double> map, Utf8Memo memo, Encoder out) throws IOException {
        out.writeMapStart();
        out.setItemCount(map.size());
        for (Map.Entry<String, Double> entry : map.entrySet()) {
            out.startItem();
            memo.target.write(entry.getKey(), out);
            out.writeDouble(entry.getValue());
        }
        out.writeMapEnd();
    }

    /** A map of arrays of {@code double}, or with {@code nullable} of {@code ["null", "double"]}. */
    private static void writeArrayMap(Map<String, List<Double>> map, boolean nullable, Utf8Memo memo, Encoder out)
            throws IOException {
        out.writeMapStart();
        out.setItemCount(map.size());
        for (Map.Entry<String, List<Double>> entry : map.entrySet()) {
            out.startItem();
            memo.target.write(entry.getKey(), out);
            List<Double> items = entry.getValue();
            out.writeArrayStart();
            out.setItemCount(items.size());
            for (Double item : items) {
                out.startItem();
                if (!nullable) {
                    out.writeDouble(item);
                } else if (item == null) {
                    out.writeIndex(0);
                } else {
                    out.writeIndex(1);
                    out.writeDouble(item);
                }
            }
            out.writeArrayEnd();
        }
        out.writeMapEnd();
    }
}
