package dev.grustream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesCsvReaderTest {
    @TempDir
    Path dir;

    private List<SeriesRow> read(String name, String content, FeatureMapping mapping) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        List<SeriesRow> rows = new ArrayList<>();
        try (SeriesCsvReader reader = SeriesCsvReader.open(file, mapping)) {
            reader.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void readsANabFileWithTheFileNameAsKey() throws IOException {
        List<SeriesRow> rows = read("speed_6005.csv", "timestamp,value\n2015-08-31 18:22:00,90\n"
                + "2015-08-31 18:32:00,80\n", FeatureMapping.identity(List.of("value")));

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).key()).isEqualTo("speed_6005");
        assertThat(rows.get(0).timestampText()).isEqualTo("2015-08-31 18:22:00");
        assertThat(rows.get(0).timestamp()).isEqualTo(1441045320000L);
        assertThat(rows.get(1).values()).containsEntry("value", 80.0);
        assertThat(rows.get(1).line()).isEqualTo(3);
    }

    @Test
    void blankLinesAreNoRowsAndKeepTheLineNumbersOfTheRowsAfterThem() throws IOException {
        List<SeriesRow> rows = read("gaps.csv", "\ntimestamp,value\n1000,1\n  \n2000,2\r\n\r\n3000,3\n\t\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows).extracting(SeriesRow::timestampText).containsExactly("1000", "2000", "3000");
        assertThat(rows).extracting(SeriesRow::line).containsExactly(3L, 5L, 7L);
    }

    @Test
    void linesOfSeparatorsOnlyAreNoRows() throws IOException {
        List<SeriesRow> rows = read("export.csv", "timestamp,value\n1000,1\n,\n2000,2\n, \n,\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows).extracting(SeriesRow::timestampText).containsExactly("1000", "2000");
    }

    @Test
    void readsTheKeyColumnWhenThereIsOne() throws IOException {
        List<SeriesRow> rows = read("many.csv", "key,timestamp,value\na,1000,1\nb,1000,2\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows).extracting(SeriesRow::key).containsExactly("a", "b");
    }

    @Test
    void aKeyColumnNamedInAnotherCaseIsRefusedRatherThanEveryRowMadeOneSeries() {
        assertThatThrownBy(() -> read("many.csv", "Key,timestamp,value\na,1000,1\nb,1000,2\n",
                FeatureMapping.identity(List.of("value"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the column 'Key' is not the series key, whose column is named 'key'");
    }

    @Test
    void mapsFeaturesToOtherColumns() throws IOException {
        List<SeriesRow> rows = read("x.csv", "timestamp,cpu_pct\n1000,42.5\n",
                FeatureMapping.parse("value=cpu_pct", List.of("value")));

        assertThat(rows.get(0).values()).containsEntry("value", 42.5);
    }

    @Test
    void unreadableCellsReadAsNaNAndUnreadableTimesAsNoTime() throws IOException {
        List<SeriesRow> rows = read("x.csv", "timestamp,value\nyesterday,1\n1000,n/a\n2000,12f\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows.get(0).hasTime()).isFalse();
        assertThat(rows.get(1).values().get("value")).isNaN();
        assertThat(rows.get(2).values().get("value")).isNaN();
    }

    @Test
    void aMissingFeatureColumnIsAClearError() {
        assertThatThrownBy(() -> read("x.csv", "timestamp,cpu\n1000,1\n", FeatureMapping.identity(List.of("value"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no column 'value' for feature 'value'")
                .hasMessageContaining("[timestamp, cpu]");
    }

    @Test
    void aHeaderThatCannotBeReadLeavesNoFileOpen() throws IOException {
        Path descriptors = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(descriptors), "counts open files through /proc");
        Path file = Files.write(dir.resolve("bad.csv"), new byte[] {'t', (byte) 0xFF, (byte) 0xFE, '\n', '1'});
        long before = count(descriptors);

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> SeriesCsvReader.open(file, FeatureMapping.identity(List.of("value"))))
                    .isInstanceOf(IOException.class);
        }

        assertThat(count(descriptors)).isLessThan(before + 10);
    }

    private static long count(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        }
    }

    @Test
    void aMissingTimestampColumnIsAClearError() {
        assertThatThrownBy(() -> read("x.csv", "time,value\n1000,1\n", FeatureMapping.identity(List.of("value"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 'timestamp' column");
    }

    @Test
    void aColumnNamedTwiceIsAClearError() {
        assertThatThrownBy(() -> read("x.csv", "timestamp,value,value\n1000,5,1\n",
                FeatureMapping.identity(List.of("value"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.csv")
                .hasMessageContaining("'value' appears more than once");
    }

    @Test
    void somethingElseIsNotATimestamp() {
        assertThatThrownBy(() -> Timestamps.parse("01/06/2015"))
                .isInstanceOf(DateTimeParseException.class)
                .hasMessageContaining("expected an epoch number");
    }

    @Test
    void parsesEveryTimestampFormat() {
        // An epoch number is read by its size, as the service reads event times.
        assertThat(Timestamps.parse("1441045320")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("1441045320000")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("1441045320000000")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("1441045320000000000")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("2015-08-31T18:22:00Z")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("2015-08-31T20:22:00+02:00")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("2015-08-31T18:22:00")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("2015-08-31 18:22:00")).isEqualTo(1441045320000L);
    }

    @Test
    void readsTheTimesTheServiceReads() {
        assertThat(Timestamps.parse("1441045320.5")).isEqualTo(1441045320500L);
        assertThat(Timestamps.parse("2015-08-31 20:22:00+02:00")).isEqualTo(1441045320000L);
        assertThat(Timestamps.parse("2015-08-31 18:22:00.25")).isEqualTo(1441045320250L);
        assertThat(Timestamps.parse("2015-08-31 18:22")).isEqualTo(1441045320000L);
    }

    @Test
    void digitsOtherThanAsciiAndNumbersBeyondRangeAreNotTimestamps() {
        assertThatThrownBy(() -> Timestamps.parse("\u0661\u0664\u0663\u0663"))
                .isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Timestamps.parse("9".repeat(400))).isInstanceOf(DateTimeParseException.class)
                .hasMessageContaining("beyond the range");
        assertThatThrownBy(() -> Timestamps.parse("9".repeat(40))).isInstanceOf(DateTimeParseException.class)
                .hasMessageContaining("beyond the range");
        assertThatThrownBy(() -> Timestamps.parse("+999999999-01-01T00:00:00Z"))
                .isInstanceOf(DateTimeParseException.class).hasMessageContaining("beyond the range");
    }

    @Test
    void aRowWithMoreCellsThanTheHeaderIsReadAsNotWellFormedAndTheRowsAfterItAsUsual() throws IOException {
        List<SeriesRow> rows = read("x.csv", "timestamp,value\n1000,1,5\n2000,2\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).wellFormed()).isFalse();
        assertThat(rows.get(0).extraCells()).isEqualTo(1);
        assertThat(rows.get(0).hasTime()).isFalse();
        assertThat(rows.get(0).values().get("value")).isNaN();
        assertThat(rows.get(1).wellFormed()).isTrue();
        assertThat(rows.get(1).timestamp()).isEqualTo(2_000_000L);
        assertThat(rows.get(1).values()).containsEntry("value", 2.0);
        assertThat(rows.get(1).line()).isEqualTo(3);
    }

    @Test
    void datesThatDoNotExistAreNotTimestamps() {
        // As the service reads them; until the sixteenth session the NAB pattern moved them to a neighbouring day.
        assertThatThrownBy(() -> Timestamps.parse("2015-02-29 00:00:00")).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Timestamps.parse("2015-06-01 24:00:00")).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void headerNamesAreTrimmedAndTrailingCommasAddNoCell() throws IOException {
        List<SeriesRow> rows = read("x.csv", "timestamp, value,\n1000, 1,\n2000,2, \n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows).allSatisfy(row -> assertThat(row.wellFormed()).isTrue()).hasSize(2);
        assertThat(rows.get(0).values()).containsEntry("value", 1.0);
        assertThat(rows.get(1).values()).containsEntry("value", 2.0);
    }

    @Test
    void aRowWithFewerCellsReadsTheMissingOnesAsEmpty() throws IOException {
        List<SeriesRow> rows = read("x.csv", "key,timestamp,value\na,1000\n",
                FeatureMapping.identity(List.of("value")));

        assertThat(rows.get(0).wellFormed()).isTrue();
        assertThat(rows.get(0).timestamp()).isEqualTo(1_000_000L);
        assertThat(rows.get(0).values().get("value")).isNaN();
    }

    @Test
    void anUnknownFeatureInTheMappingIsAClearError() {
        assertThatThrownBy(() -> FeatureMapping.parse("cpu=x", List.of("value")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cpu' is not a feature");
    }
}
