package dev.grustream.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.data.FeatureMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading series CSV files for training. */
class SeriesFilesTest {

    private static final List<String> VALUE = List.of("value");

    @TempDir
    Path temp;

    @Test
    void readsEveryCsvFileOfADirectoryTreeInPathOrder() throws IOException {
        write("b/two.csv", "timestamp,value\n2024-01-01 00:00:00,2\n");
        write("a/one.csv", "timestamp,value\n2024-01-01 00:00:00,1\n");
        write("a/notes.txt", "not a series");

        SeriesFiles.Loaded loaded = read(temp);

        assertThat(loaded.files()).isEqualTo(2);
        assertThat(loaded.series()).extracting(TrainingSeries::key).containsExactly("one", "two");
    }

    @Test
    void namesTheFilesThatGiveOneKeyByTheirName() throws IOException {
        write("host-a/cpu.csv", "timestamp,value\n1000,1\n");
        write("host-b/cpu.csv", "timestamp,value\n2000,2\n");
        write("host-b/mem.csv", "timestamp,value\n1000,3\n");
        write("keyed/cpu.csv", "timestamp,key,value\n3000,cpu,4\n");

        SeriesFiles.Loaded loaded = read(temp);

        assertThat(loaded.keysNamedBySeveralFiles()).containsOnlyKeys("cpu");
        assertThat(loaded.keysNamedBySeveralFiles().get("cpu")).containsExactly(temp.resolve("host-a/cpu.csv"),
                temp.resolve("host-b/cpu.csv"));
        assertThat(values(loaded.series().get(0))).containsExactly(1.0, 2.0, 4.0);
    }

    @Test
    void skipsAndCountsRowsWithoutANumberOrATime() throws IOException {
        write("s.csv", "timestamp,value\n1000,1\n2000,\n3000,NaN\nyesterday,4\n5000,oops\n6000,6\n");

        SeriesFiles.Loaded loaded = read(temp.resolve("s.csv"));

        assertThat(loaded.rows()).isEqualTo(6);
        assertThat(loaded.skippedNotFinite()).isEqualTo(3);
        assertThat(loaded.skippedNoTime()).isEqualTo(1);
        assertThat(values(loaded.series().get(0))).containsExactly(1.0, 6.0);
    }

    @Test
    void ordersEachKeysRowsByTimeAndDropsRepeatedTimes() throws IOException {
        write("s.csv", "timestamp,key,value\n3000,a,3\n1000,a,1\n1000,b,10\n1000,a,9\n2000,a,2\n");

        SeriesFiles.Loaded loaded = read(temp.resolve("s.csv"));

        assertThat(loaded.series()).extracting(TrainingSeries::key).containsExactly("a", "b");
        assertThat(values(loaded.series().get(0))).containsExactly(1.0, 2.0, 3.0);
        assertThat(loaded.skippedDuplicates()).isEqualTo(1);
    }

    @Test
    void readsAFeatureFromAMappedColumn() throws IOException {
        write("s.csv", "timestamp,cpu\n1000,0.5\n");

        SeriesFiles.Loaded loaded = SeriesFiles.read(List.of(temp.resolve("s.csv")), VALUE,
                FeatureMapping.parse("value=cpu", VALUE));

        assertThat(values(loaded.series().get(0))).containsExactly(0.5);
    }

    @Test
    void rejectsADirectoryWithoutCsvFiles() {
        assertThatThrownBy(() -> read(temp))
                .hasMessage(temp + ": expected CSV files (*.csv) in the directory, found none");
    }

    @Test
    void rejectsAMissingInput() {
        Path missing = temp.resolve("missing.csv");

        assertThatThrownBy(() -> read(missing))
                .hasMessage(missing + ": expected a CSV file or a directory, found nothing");
    }

    private SeriesFiles.Loaded read(Path input) {
        return SeriesFiles.read(List.of(input), VALUE, FeatureMapping.identity(VALUE));
    }

    private void write(String name, String content) throws IOException {
        Path file = temp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static double[] values(TrainingSeries series) {
        double[] values = new double[series.rows()];
        for (int i = 0; i < values.length; i++) {
            values[i] = series.value(i, 0);
        }
        return values;
    }
}
