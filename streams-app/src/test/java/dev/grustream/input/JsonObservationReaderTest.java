package dev.grustream.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonObservationReaderTest {
    private final JsonObservationReader reader = new JsonObservationReader(new InputMapping(
            List.of(FieldPath.parse("host"), FieldPath.parse("dc")), Optional.of(FieldPath.parse("ts")), Map.of()),
            () -> List.of("cpu", "mem"));

    private InboundObservation read(String json) {
        return reader.deserialize("t", json.getBytes(StandardCharsets.UTF_8));
    }

    private static InputException.Reason reasonOf(Runnable read) {
        try {
            read.run();
        } catch (InputException e) {
            return e.reason();
        }
        throw new AssertionError("no InputException");
    }

    @Test
    void readsTheKeyTimeAndFeaturesAndKeepsTheBytes() {
        String json = "{\"host\":\"a\",\"dc\":7,\"ts\":\"2024-05-01T00:00:00Z\",\"cpu\":0.5,\"mem\":\"12\",\"x\":[1]}";

        InboundObservation observation = read(json);

        assertThat(observation.seriesKey()).isEqualTo("a/7");
        assertThat(observation.timed()).isTrue();
        assertThat(observation.eventTime()).isEqualTo(1_714_521_600_000L);
        assertThat(observation.features()).containsExactly(Map.entry("cpu", 0.5), Map.entry("mem", 12.0));
        assertThat(new String(observation.rawValue(), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void aSlashInsideAKeyFieldCannotMakeTwoSeriesOne() {
        String first = read("{\"host\":\"x/y\",\"dc\":\"z\",\"ts\":1}").seriesKey();
        String second = read("{\"host\":\"x\",\"dc\":\"y/z\",\"ts\":1}").seriesKey();

        assertThat(first).isEqualTo("x%2Fy/z");
        assertThat(second).isEqualTo("x/y%2Fz");
        assertThat(read("{\"host\":\"50%\",\"dc\":\"z\",\"ts\":1}").seriesKey()).isEqualTo("50%25/z");
    }

    @Test
    void aNanLiteralIsUndecodableAndSaysWhatJsonHoldsInstead() {
        assertThatThrownBy(() -> read("{\"host\":\"a\",\"dc\":\"z\",\"ts\":1,\"cpu\":NaN}"))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.reason())
                        .isEqualTo(InputException.Reason.UNDECODABLE))
                .hasMessageContaining("NaN and Infinity are no JSON numbers; send null or leave the field out")
                .hasMessageNotContaining("JsonReadFeature");
    }

    @Test
    void aKeyFieldWithAnUnpairedSurrogateIsUndecodable() {
        // A lone surrogate would be stored as "?" in UTF-8, the key of another series.
        assertThat(reasonOf(() -> read("{\"host\":\"\\ud800\",\"dc\":\"z\",\"ts\":1}")))
                .isEqualTo(InputException.Reason.UNDECODABLE);
        assertThat(reasonOf(() -> read("{\"host\":\"a\\udc00b\",\"dc\":\"z\",\"ts\":1}")))
                .isEqualTo(InputException.Reason.UNDECODABLE);
    }

    @Test
    void aValueWithAnOverlongUtf8SequenceIsUndecodableRatherThanAnotherSeriesId() {
        // C1 81 is an overlong "A": read leniently, it would name the series "A".
        byte[] overlong = {'{', '"', 'h', 'o', 's', 't', '"', ':', '"', (byte) 0xC1, (byte) 0x81, '"', ',', '"', 'd',
            'c', '"', ':', '"', 'z', '"', ',', '"', 't', 's', '"', ':', '1', '}'};

        assertThat(reasonOf(() -> reader.deserialize("t", overlong))).isEqualTo(InputException.Reason.UNDECODABLE);
    }

    @Test
    void aValueInUtf16ThatIsAlsoValidUtf8IsUndecodableRatherThanAnotherSeriesId() {
        // Bytes that begin 7B 00 Jackson would take for UTF-16LE, decoding the lone surrogate U+DC41 as U+FFFD, as
        // it would U+DC42: two series ids one.
        String json = "{\"host\":\"\udc41\u00a0\",\"dc\":\"z\",\"ts\":1}";
        ByteBuffer units = ByteBuffer.allocate(2 * json.length()).order(ByteOrder.LITTLE_ENDIAN);
        json.chars().forEach(unit -> units.putChar((char) unit)); // as written, lone surrogate and all
        byte[] utf16 = units.array();

        assertThat(RecordKeyDeserializer.utf8(utf16, utf16.length)).isNotNull();
        assertThat(reasonOf(() -> reader.deserialize("t", utf16))).isEqualTo(InputException.Reason.UNDECODABLE);
    }

    @Test
    void aValueThatStartsWithAByteOrderMarkIsRead() {
        byte[] json = "\uFEFF{\"host\":\"a\",\"dc\":\"z\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);

        assertThat(reader.deserialize("t", json).seriesKey()).isEqualTo("a/z");
    }

    @Test
    void aKeyFieldWithAPairedSurrogateIsAKey() {
        assertThat(read("{\"host\":\"\\ud83d\\ude00\",\"dc\":\"z\",\"ts\":1}").seriesKey())
                .isEqualTo("\ud83d\ude00/z");
    }

    @Test
    void integerIdsBeyondALongKeepEveryDigit() {
        String first = read("{\"host\":18446744073709551615,\"dc\":1,\"ts\":1}").seriesKey();
        String second = read("{\"host\":18446744073709551614,\"dc\":1,\"ts\":1}").seriesKey();

        assertThat(first).isEqualTo("18446744073709551615/1");
        assertThat(second).isEqualTo("18446744073709551614/1");
    }

    @Test
    void aSingleKeyFieldIsTheSeriesIdAsItIs() {
        JsonObservationReader oneField = new JsonObservationReader(new InputMapping(
                List.of(FieldPath.parse("path")), Optional.empty(), Map.of()), () -> List.of("cpu"));

        assertThat(oneField.deserialize("t", "{\"path\":\"/api/v1 50%\"}".getBytes(StandardCharsets.UTF_8))
                .seriesKey()).isEqualTo("/api/v1 50%");
    }

    @Test
    void anEmptySingleKeyFieldIsAMissingId() {
        JsonObservationReader oneField = new JsonObservationReader(new InputMapping(
                List.of(FieldPath.parse("path")), Optional.empty(), Map.of()), () -> List.of("cpu"));

        assertThat(reasonOf(() -> oneField.deserialize("t", "{\"path\":\"\"}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(InputException.Reason.MISSING_FIELD);
    }

    @Test
    void aTimeInNanosecondsKeepsItsMillisecondExactly() {
        assertThat(read("{\"host\":\"a\",\"dc\":1,\"ts\":1714521600123999900}").eventTime())
                .isEqualTo(1_714_521_600_123L);
        assertThat(read("{\"host\":\"a\",\"dc\":1,\"ts\":\"1714521600123999900\"}").eventTime())
                .isEqualTo(1_714_521_600_123L);
    }

    @Test
    void anAbsentFeatureIsLeftForTheCoreToRefuse() {
        assertThat(read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":null}").features()).isEmpty();
    }

    @Test
    void eachUnreadableValueSaysWhy() {
        assertThat(reasonOf(() -> read("not json"))).isEqualTo(InputException.Reason.UNDECODABLE);
        assertThat(reasonOf(() -> read("[1, 2]"))).isEqualTo(InputException.Reason.UNDECODABLE);
        assertThat(reasonOf(() -> read("{\"dc\":1,\"ts\":1}"))).isEqualTo(InputException.Reason.MISSING_FIELD);
        assertThat(reasonOf(() -> read("{\"host\":{\"n\":1},\"dc\":1,\"ts\":1}")))
                .isEqualTo(InputException.Reason.MISSING_FIELD);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1}"))).isEqualTo(InputException.Reason.MISSING_FIELD);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":\"soon\"}")))
                .isEqualTo(InputException.Reason.INVALID_TIME);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":true}")))
                .isEqualTo(InputException.Reason.NOT_A_NUMBER);
    }

    @Test
    void aNumberBeyondADoublesRangeIsTheLargestDoubleForTheCoreToRefuseAsOutOfRange() {
        InboundObservation observation = read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":1e400,\"mem\":\"-1e400\"}");

        assertThat(observation.features()).containsExactly(Map.entry("cpu", Double.MAX_VALUE),
                Map.entry("mem", -Double.MAX_VALUE));
        assertThat(read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":" + "9".repeat(400) + "}").features())
                .containsEntry("cpu", Double.MAX_VALUE);
    }

    @Test
    void aLongUnreadableValueIsCutShortInItsMessage() {
        String huge = "x".repeat(1_000_000);

        assertThatThrownBy(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":\"" + huge + "\"}"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("(1000000 characters)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
        assertThatThrownBy(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":\"" + huge + "\"}"))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void aStringInJavasLiteralGrammarButNotADecimalIsNotANumber() {
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":\"12f\"}")))
                .isEqualTo(InputException.Reason.NOT_A_NUMBER);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":\"0x1p3\"}")))
                .isEqualTo(InputException.Reason.NOT_A_NUMBER);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":\"1714521600d\"}")))
                .isEqualTo(InputException.Reason.INVALID_TIME);
    }

    @Test
    void aDottedPathFindsNestedObjectsOrKeysThatHoldTheDots() {
        JsonObservationReader dotted = new JsonObservationReader(new InputMapping(List.of(FieldPath.parse(
                "host.name")), Optional.of(FieldPath.parse("ts")), Map.of("cpu", FieldPath.parse("metrics.cpu.idle"))),
                () -> List.of("cpu"));
        String flattened = "{\"host.name\":\"a\",\"ts\":1,\"metrics\":{\"cpu.idle\":97.5}}";
        String nested = "{\"host\":{\"name\":\"a\"},\"ts\":1,\"metrics.cpu\":{\"idle\":97.5}}";

        for (String json : List.of(flattened, nested)) {
            InboundObservation observation = dotted.deserialize("t", json.getBytes(StandardCharsets.UTF_8));
            assertThat(observation.seriesKey()).as(json).isEqualTo("a");
            assertThat(observation.features()).as(json).containsExactly(Map.entry("cpu", 97.5));
        }
    }

    @Test
    void aPathThatWouldEnterAnArraySaysSoRatherThanThatTheFieldIsMissing() {
        JsonObservationReader throughArrays = new JsonObservationReader(new InputMapping(List.of(FieldPath.parse(
                "tags.host")), Optional.of(FieldPath.parse("ts")), Map.of("cpu", FieldPath.parse("metrics.cpu"))),
                () -> List.of("cpu"));
        byte[] keyInArray = "{\"tags\":[{\"host\":\"a\"}],\"ts\":1,\"metrics\":{\"cpu\":1}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] featureInArray = "{\"tags\":{\"host\":\"a\"},\"ts\":1,\"metrics\":[{\"cpu\":1}]}"
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> throughArrays.deserialize("t", keyInArray)).isInstanceOfSatisfying(
                InputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(InputException.Reason.MISSING_FIELD);
                    assertThat(e.getMessage()).contains("'tags.host' is inside an array");
                });
        assertThatThrownBy(() -> throughArrays.deserialize("t", featureInArray)).isInstanceOfSatisfying(
                InputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(InputException.Reason.NOT_A_NUMBER);
                    assertThat(e.getMessage()).contains("(field 'metrics.cpu') is inside an array");
                });
    }

    @Test
    void aKeyHoldingThePathsDotsIsFoundEvenWhereTheNestedReadingMeetsAnArray() {
        JsonObservationReader dotted = new JsonObservationReader(new InputMapping(List.of(FieldPath.parse(
                "tags.host")), Optional.of(FieldPath.parse("ts")), Map.of()), () -> List.of("cpu"));
        byte[] json = "{\"tags\":[{\"host\":\"b\"}],\"tags.host\":\"a\",\"ts\":1,\"cpu\":1}"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(dotted.deserialize("t", json).seriesKey()).isEqualTo("a");
    }

    @Test
    void aFieldGivenTwiceOrASecondObjectIsNotOneObservation() {
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":1,\"cpu\":2}")))
                .isEqualTo(InputException.Reason.UNDECODABLE);
        assertThat(reasonOf(() -> read("{\"host\":\"a\",\"dc\":1,\"ts\":1,\"cpu\":1} {\"cpu\":2}")))
                .isEqualTo(InputException.Reason.UNDECODABLE);
    }

    @Test
    void aNullValueIsATombstone() {
        assertThat(reader.deserialize("t", null)).isNull();
    }

    @Test
    void withoutATimeFieldTheObservationWaitsForTheRecordTimestamp() {
        JsonObservationReader untimed = new JsonObservationReader(InputMapping.DEFAULT, () -> List.of("cpu"));
        InboundObservation observation = untimed.deserialize("t", "{\"cpu\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(observation.timed()).isFalse();
        observation.useRecordTimestamp(42);
        assertThat(observation.eventTime()).isEqualTo(42);
        observation.useRecordTimestamp(43);
        assertThat(observation.eventTime()).isEqualTo(42);
        assertThatThrownBy(() -> InboundObservation.timed(null, 1, null, new byte[0]))
                .isInstanceOf(NullPointerException.class);
    }
}
