package dev.grustream.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class JsonRecordsTest {

    @Test
    void aNumberThatIsNotFiniteIsWrittenAsNull() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("nan", Double.NaN);
        fields.put("up", Double.POSITIVE_INFINITY);
        fields.put("single", Float.NEGATIVE_INFINITY);
        fields.put("fine", 1.5);

        assertThat(new String(JsonRecords.write(fields), StandardCharsets.UTF_8))
                .isEqualTo("{\"nan\":null,\"up\":null,\"single\":null,\"fine\":1.5}");
    }

    @Test
    void aNumberThatIsNotFiniteInsideARecordIsWrittenAsNull() {
        Schema schema = SchemaBuilder.record("Nested").fields()
                .name("steps").type().array().items().doubleType().noDefault()
                .name("by").type().map().values().doubleType().noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("steps", List.of(1.0, Double.NaN));
        record.put("by", Map.of("cpu", Double.NEGATIVE_INFINITY));

        assertThat(new String(JsonRecords.of(record), StandardCharsets.UTF_8))
                .isEqualTo("{\"steps\":[1.0,null],\"by\":{\"cpu\":null}}");
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsWrittenAsItsUtf8BytesAsTheRecordKeyHasIt() {
        String key = "pump-\uD83D\uDE00";

        assertThat(JsonRecords.write(Map.of("key", key)))
                .isEqualTo(("{\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLoneSurrogateIsWrittenEscapedRatherThanRefused() {
        assertThat(new String(JsonRecords.write(Map.of("key", "x\uD800y")), StandardCharsets.UTF_8))
                .isEqualTo("{\"key\":\"x\\uD800y\"}");
    }
}
