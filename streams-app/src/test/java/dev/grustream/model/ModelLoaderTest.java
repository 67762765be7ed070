package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grustream.model.internals.Npy;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and writing the v1 model format: round trips, zips, and every validation failure. */
class ModelLoaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private GruModel model;
    private Path dir;

    @BeforeEach
    void writeValidModel() throws IOException {
        model = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 2).build(),
                3);
        dir = temp.resolve("model");
        ModelWriter.write(model, dir);
    }

    @Test
    void loadsWhatTheWriterWrote() throws IOException {
        GruModel loaded = ModelLoader.load(dir);

        assertThat(loaded.spec()).isEqualTo(model.spec());
        for (int k = 0; k < 2; k++) {
            assertThat(loaded.layer(k).weightIh()).containsExactly(model.layer(k).weightIh());
            assertThat(loaded.layer(k).weightHh()).containsExactly(model.layer(k).weightHh());
            assertThat(loaded.layer(k).biasIh()).containsExactly(model.layer(k).biasIh());
            assertThat(loaded.layer(k).biasHh()).containsExactly(model.layer(k).biasHh());
        }
        assertThat(loaded.headWeight()).containsExactly(model.headWeight());
        assertThat(loaded.headBias()).containsExactly(model.headBias());
    }

    @Test
    void loadsAModelWrittenByNumpy() throws IOException {
        GruModel loaded = ModelLoader.load(ReferenceCase.resource("reference/after_l3_h16/model"));

        ModelSpec spec = loaded.spec();
        assertThat(spec.name()).isEqualTo("after_l3_h16");
        assertThat(spec.features()).containsExactly("load", "latency", "errors");
        assertThat(spec.targets()).containsExactly("latency", "load");
        assertThat(spec.hiddenSize()).isEqualTo(16);
        assertThat(spec.numLayers()).isEqualTo(3);
        assertThat(spec.gateVariant()).isEqualTo(GateVariant.RESET_AFTER);
        assertThat(spec.horizon()).isEqualTo(1);
        assertThat(spec.normalization().mean(0)).isEqualTo(100.0);
        assertThat(spec.normalization().std(2)).isEqualTo(0.01);
    }

    @Test
    void loadsAZipWithTheFilesAtItsRoot() throws IOException {
        Path zip = zip(dir, "");

        assertThat(ModelLoader.load(zip).spec()).isEqualTo(model.spec());
    }

    @Test
    void loadsAZipOfTheModelDirectory() throws IOException {
        Path zip = zip(dir, "latency-v3/");

        GruModel loaded = ModelLoader.load(zip);

        assertThat(loaded.spec()).isEqualTo(model.spec());
        assertThat(loaded.layer(1).weightHh()).containsExactly(model.layer(1).weightHh());
    }

    @Test
    void rejectsAZipWithoutModelJson() throws IOException {
        Files.delete(dir.resolve("model.json"));
        Path zip = zip(dir, "");

        assertFormatError(zip, "expected one model.json at the root or in one top-level directory, found none");
    }

    @Test
    void rejectsAZipMissingAWeightFile() throws IOException {
        Files.delete(dir.resolve("bias_hh_l1.npy"));
        Path zip = zip(dir, "m/");

        assertFormatError(zip, "bias_hh_l1.npy: missing from ");
    }

    @Test
    void refusesABidirectionalGrusArraysInADirectoryOrAZip() throws IOException {
        for (String array : List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")) {
            Files.copy(dir.resolve(array + ".npy"), dir.resolve(array + "_reverse.npy"));
        }

        assertFormatError(dir, "_reverse.npy: an array of a bidirectional GRU's reverse direction");
        assertFormatError(zip(dir, "m/"), "_reverse.npy: an array of a bidirectional GRU's reverse direction");
    }

    @Test
    void refusesALayersArrayBeyondNumLayersInADirectoryOrAZip() throws IOException {
        Files.copy(dir.resolve("weight_hh_l1.npy"), dir.resolve("weight_hh_l2.npy"));

        assertFormatError(dir, "weight_hh_l2.npy: an array of layer 2, but model.json has num_layers 2");
        assertFormatError(zip(dir, ""), "weight_hh_l2.npy: an array of layer 2, but model.json has num_layers 2");
    }

    @Test
    void neverReadsAZipsOtherFiles() throws IOException {
        Path zip = zipWithZeros(dir, "m/", "notes.csv", 64L << 20);

        long allocated = allocatedBy(() -> assertThat(ModelLoader.load(zip).spec()).isEqualTo(model.spec()));

        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void refusesAZipEntryThatUnpacksToMoreThanItsShapeAllowsBeforeReadingIt() throws IOException {
        Path zip = zipWithZeros(dir, "", "head_bias.npy", 64L << 20);

        long allocated = allocatedBy(() -> assertFormatError(zip, "head_bias.npy: larger than the "
                + (ModelLoader.NPY_HEADER_ALLOWANCE + 2 * Float.BYTES) + " bytes its shape allows"));

        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void refusesAModelWhoseArraysWouldTakeMoreThanAModelMay() throws IOException {
        editJson(json -> json.put("hidden_size", 100_000));

        assertFormatError(dir, "values, more than the " + ModelLoader.MAX_MODEL_BYTES
                + " bytes a model's arrays may take");
    }

    @Test
    void refusesAModelWhoseHiddenStatePerKeyWouldBeLargerThanAModelMay() throws IOException {
        // Within the size bound: 300 layers of 16 units hold about 0.5 million weights, but 4,800 values per key.
        editJson(json -> json.put("hidden_size", 16).put("num_layers", 300));

        assertFormatError(dir, "300 layers of 16 units would give every key a hidden state of more than the "
                + ModelLoader.MAX_HIDDEN_VALUES + " values a model may");
    }

    @Test
    void refusesNumLayersNearIntegerMaxValueAsTooLarge() throws IOException {
        // Refused in closed form: adding up 2^31 layers' weights one by one took seconds per model record.
        editJson(json -> json.put("hidden_size", 1).put("num_layers", Integer.MAX_VALUE));

        assertFormatError(dir, "values, more than the " + ModelLoader.MAX_MODEL_BYTES
                + " bytes a model's arrays may take");
    }

    @Test
    void refusesAWeightFileLargerThanItsShapeAllows() throws IOException {
        Files.write(dir.resolve("head_bias.npy"), new byte[ModelLoader.NPY_HEADER_ALLOWANCE + 2 * Float.BYTES + 1]);

        assertFormatError(dir, "head_bias.npy: larger than the " + (ModelLoader.NPY_HEADER_ALLOWANCE + 8)
                + " bytes its shape allows");
    }

    @Test
    void refusesAWeightFileThatIsADeviceWithoutReadingIt() throws IOException {
        Path zeros = Path.of("/dev/zero");
        assumeTrue(Files.exists(zeros), "no /dev/zero here");
        Files.delete(dir.resolve("head_bias.npy"));
        Files.createSymbolicLink(dir.resolve("head_bias.npy"), zeros);

        assertFormatError(dir, "head_bias.npy: not a regular file in " + dir);
    }

    @Test
    void rejectsAPathThatIsNeitherDirectoryNorZip() throws IOException {
        Path file = Files.writeString(temp.resolve("model.tar"), "x");

        assertFormatError(file, "expected a model directory or a .zip file, found another kind of file");
    }

    @Test
    void rejectsAMissingModelJson() throws IOException {
        Files.delete(dir.resolve("model.json"));

        assertFormatError(dir, "model.json: missing from " + dir);
    }

    @Test
    void rejectsAMissingWeightFile() throws IOException {
        Files.delete(dir.resolve("weight_hh_l1.npy"));

        assertFormatError(dir, "weight_hh_l1.npy: missing from " + dir);
    }

    @Test
    void rejectsAWeightOfTheWrongShape() throws IOException {
        writeNpy("weight_hh_l0.npy", "<f4", false, new int[] {12, 5}, floats(60, 0.1f));

        assertFormatError(dir, "weight_hh_l0.npy: shape expected [12, 4], found [12, 5]");
    }

    @Test
    void rejectsAWeightOfTheWrongRank() throws IOException {
        writeNpy("bias_ih_l1.npy", "<f4", false, new int[] {12, 1}, floats(12, 0.1f));

        assertFormatError(dir, "bias_ih_l1.npy: shape expected [12], found [12, 1]");
    }

    @Test
    void rejectsFloat64Weights() throws IOException {
        writeNpy("head_bias.npy", "<f8", false, new int[] {2}, doubles(2, 0.5));

        assertFormatError(dir, "head_bias.npy: dtype expected '<f4' (little-endian float32), found '<f8'");
    }

    @Test
    void rejectsBigEndianWeights() throws IOException {
        writeNpy("head_bias.npy", ">f4", false, new int[] {2}, new byte[8]);

        assertFormatError(dir, "head_bias.npy: dtype expected '<f4' (little-endian float32) or '<f8', found '>f4'");
    }

    @Test
    void rejectsFortranOrderedWeights() throws IOException {
        writeNpy("weight_ih_l0.npy", "<f4", true, new int[] {12, 3}, floats(36, 0.1f));

        assertFormatError(dir, "weight_ih_l0.npy: fortran_order expected False (C order), found True");
    }

    @Test
    void rejectsAHeaderKeyGivenTwiceWhichNumPyWouldReadAsItsLastValue() throws IOException {
        writeNpy("weight_ih_l0.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (12, 3), 'fortran_order': True,"
                + " }\n", new byte[36 * Float.BYTES]);

        assertFormatError(dir, "weight_ih_l0.npy: key 'fortran_order' given twice in .npy header");
    }

    @Test
    void rejectsTruncatedWeightData() throws IOException {
        writeNpy("head_weight.npy", "<f4", false, new int[] {2, 4}, floats(7, 0.1f));

        assertFormatError(dir, "head_weight.npy: data length expected 32 bytes for shape [2, 4], found 28");
    }

    @Test
    void rejectsAFileThatIsNotNpy() throws IOException {
        Files.writeString(dir.resolve("head_weight.npy"), "weights,1,2,3");

        assertFormatError(dir, "head_weight.npy: not a NumPy .npy file");
    }

    @Test
    void rejectsANaNWeight() throws IOException {
        float[] values = floats(48, 0.1f);
        values[17] = Float.NaN;
        writeNpy("weight_hh_l1.npy", "<f4", false, new int[] {12, 4}, values);

        assertFormatError(dir, "weight_hh_l1.npy: expected finite values, found NaN at flat index 17");
    }

    @Test
    void rejectsAnInfiniteWeight() throws IOException {
        writeNpy("head_bias.npy", "<f4", false, new int[] {2}, new float[] {0, Float.NEGATIVE_INFINITY});

        assertFormatError(dir, "head_bias.npy: expected finite values, found -Infinity at flat index 1");
    }

    @Test
    void rejectsAnUnknownGateVariant() throws IOException {
        editJson(json -> json.put("gate_variant", "reset_sometimes"));

        assertFormatError(dir, "model.json: gate_variant: expected \"reset_after\" or \"reset_before\","
                + " found \"reset_sometimes\"");
    }

    @Test
    void rejectsAnUnknownFormat() throws IOException {
        editJson(json -> json.put("format", "gru-stream/model/v3"));

        assertFormatError(dir, "model.json: format: expected \"gru-stream/model/v1\" or \"gru-stream/model/v2\","
                + " found \"gru-stream/model/v3\"");
    }

    @Test
    void aUtcModelNamesItsZoneAsIanaReadersKnowIt() throws IOException {
        GruModel utc = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 1).horizon(3)
                .calendar(CalendarFeature.TIME_OF_DAY).timeZone(ZoneId.of("UTC")).build(), 5);
        Path utcDir = temp.resolve("utc");
        ModelWriter.write(utc, utcDir);

        assertThat(JSON.readTree(utcDir.resolve("model.json").toFile()).get("time_zone").asText()).isEqualTo("UTC");
        assertThat(ModelLoader.load(utcDir).spec()).isEqualTo(utc.spec());
    }

    @Test
    void loadsWhatTheWriterWroteWithCalendarInputsAndADirectHorizon() throws IOException {
        GruModel direct = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 1).horizon(3)
                .calendar(CalendarFeature.TIME_OF_DAY, CalendarFeature.DAY_OF_WEEK)
                .timeZone(ZoneId.of("Europe/Paris")).build(), 5);
        Path directDir = temp.resolve("direct");
        ModelWriter.write(direct, directDir);

        GruModel loaded = ModelLoader.load(directDir);

        assertThat(loaded.spec()).isEqualTo(direct.spec());
        assertThat(loaded.spec().multiStep()).isEqualTo(MultiStep.DIRECT);
        assertThat(loaded.headWeight()).containsExactly(direct.headWeight());
        assertThat(JSON.readTree(directDir.resolve("model.json").toFile()).get("format").asText())
                .isEqualTo(ModelSpec.FORMAT_V2);
    }

    @Test
    void aFormatOneHorizonIsRecursive() throws IOException {
        editJson(json -> {
            json.put("horizon", 2);
            json.putArray("targets").add("load").add("latency").add("errors");
        });
        Files.delete(dir.resolve("head_weight.npy"));
        Files.delete(dir.resolve("head_bias.npy"));
        Files.write(dir.resolve("head_weight.npy"), Npy.writeFloat32(new int[] {3, 4},
                new float[12]));
        Files.write(dir.resolve("head_bias.npy"), Npy.writeFloat32(new int[] {3},
                new float[3]));

        assertThat(ModelLoader.load(dir).spec().multiStep()).isEqualTo(MultiStep.RECURSIVE);
    }

    @Test
    void rejectsAnUnknownCalendarInput() throws IOException {
        editJson(json -> {
            json.put("format", "gru-stream/model/v2");
            json.putArray("calendar").add("hour-of-week");
        });

        assertFormatError(dir, "model.json: calendar[0]: expected one of [time-of-day, day-of-week, day-of-year],"
                + " found \"hour-of-week\"");
    }

    @Test
    void rejectsACalendarInFormatOne() throws IOException {
        editJson(json -> json.putArray("calendar").add("time-of-day"));

        assertFormatError(dir, "model.json: calendar: unknown field in gru-stream/model/v1");
    }

    @Test
    void rejectsAZeroStandardDeviation() throws IOException {
        editJson(json -> json.withObject("normalization").withArray("std").set(1, 0.0));

        assertFormatError(dir, "model.json: normalization.std[1]: expected a finite number > 0, found 0.0");
    }

    @Test
    void rejectsANegativeStandardDeviation() throws IOException {
        editJson(json -> json.withObject("normalization").withArray("std").set(2, -1.5));

        assertFormatError(dir, "model.json: normalization.std[2]: expected a finite number > 0, found -1.5");
    }

    @Test
    void rejectsMeansOfAnotherLengthThanTheFeatures() throws IOException {
        editJson(json -> {
            json.withObject("normalization").withArray("mean").remove(2);
            json.withObject("normalization").withArray("std").remove(2);
        });

        assertFormatError(dir, "model.json: normalization.mean: expected 3 values (one per feature), found 2");
    }

    @Test
    void rejectsStandardDeviationsOfAnotherLengthThanTheMeans() throws IOException {
        editJson(json -> json.withObject("normalization").withArray("std").add(1.0));

        assertFormatError(dir, "model.json: normalization.std: expected 3 values (one per feature, like mean),"
                + " found 4");
    }

    @Test
    void rejectsAnUnknownNormalizationField() throws IOException {
        editJson(json -> json.withObject("normalization").put("adaptive", true));

        assertFormatError(dir, "model.json: normalization: unknown field \"adaptive\"; expected mean, std and"
                + " optionally per_key");
    }

    @Test
    void loadsWhatTheWriterWroteWithPerKeyNormalisation() throws IOException {
        ModelSpec spec = model.spec().toBuilder().normalization(Normalization.perKey(new double[] {0.1, -0.2, 0},
                new double[] {1.1, 0.9, 1}, new PerKeyScaling(288, 8, 0.001))).build();
        Path perKeyDir = temp.resolve("per-key");
        ModelWriter.write(TestModels.random(spec, 3), perKeyDir);

        assertThat(ModelLoader.load(perKeyDir).spec()).isEqualTo(spec);
    }

    @Test
    void readsPerKeyNormalisationFromModelJson() throws IOException {
        editJson(json -> json.withObject("normalization").putObject("per_key").put("halflife", 100).put("clip", 6)
                .put("min_std_ratio", 0));

        assertThat(ModelLoader.load(dir).spec().normalization().perKey()).contains(new PerKeyScaling(100, 6, 0));
    }

    @Test
    void rejectsAPerKeyObjectWithoutAHalfLife() throws IOException {
        editJson(json -> json.withObject("normalization").putObject("per_key").put("clip", 6)
                .put("min_std_ratio", 0));

        assertFormatError(dir, "model.json: normalization.per_key.halflife: expected a number, found nothing");
    }

    @Test
    void rejectsAPerKeyClipThatIsNotPositive() throws IOException {
        editJson(json -> json.withObject("normalization").putObject("per_key").put("halflife", 100)
                .put("clip", -1).put("min_std_ratio", 0));

        assertFormatError(dir, "model.json: normalization.per_key.clip: expected a finite number > 0, found -1.0");
    }

    @Test
    void rejectsAnUnknownPerKeyField() throws IOException {
        editJson(json -> json.withObject("normalization").putObject("per_key").put("halflife", 100).put("clip", 6)
                .put("min_std_ratio", 0).put("warmup", 10));

        assertFormatError(dir, "model.json: normalization.per_key: unknown field \"warmup\"; expected exactly"
                + " halflife, clip and min_std_ratio");
    }

    @Test
    void rejectsAPerKeyValueThatIsNotAnObject() throws IOException {
        editJson(json -> json.withObject("normalization").put("per_key", true));

        assertFormatError(dir, "model.json: normalization.per_key: expected an object with halflife, clip and"
                + " min_std_ratio, found boolean true");
    }

    @Test
    void rejectsAnUnknownTopLevelField() throws IOException {
        editJson(json -> json.put("dropout", 0.1));

        assertFormatError(dir, "model.json: dropout: unknown field in gru-stream/model/v1; expected only [features,");
    }

    @Test
    void rejectsATargetThatIsNotAFeature() throws IOException {
        editJson(json -> json.withArray("targets").set(1, "throughput"));

        assertFormatError(dir, "model.json: targets[1]: expected one of the features [load, latency, errors],"
                + " found \"throughput\"");
    }

    @Test
    void rejectsDuplicateFeatureNames() throws IOException {
        editJson(json -> json.withArray("features").set(2, "load"));

        assertFormatError(dir, "model.json: features[2]: expected unique names, found \"load\" twice");
    }

    @Test
    void rejectsDuplicateTargetNames() throws IOException {
        editJson(json -> json.withArray("targets").set(1, "latency"));

        assertFormatError(dir, "model.json: targets[1]: expected unique names, found \"latency\" twice");
    }

    @Test
    void rejectsAHiddenSizeBelowOne() throws IOException {
        editJson(json -> json.put("hidden_size", 0));

        assertFormatError(dir, "model.json: hidden_size: expected an integer >= 1, found 0");
    }

    @Test
    void rejectsANumberOfLayersBelowOne() throws IOException {
        editJson(json -> json.put("num_layers", -2));

        assertFormatError(dir, "model.json: num_layers: expected an integer >= 1, found -2");
    }

    @Test
    void rejectsAHorizonBelowOne() throws IOException {
        editJson(json -> json.put("horizon", 0));

        assertFormatError(dir, "model.json: horizon: expected an integer >= 1, found 0");
    }

    @Test
    void rejectsAHorizonAboveOneWhenAFeatureIsNotATarget() throws IOException {
        editJson(json -> json.put("horizon", 2));

        assertFormatError(dir, "model.json: targets: a recursive horizon of 2 feeds forecasts back as inputs, so every"
                + " feature must be a target; expected [load, latency, errors] in any order, found [latency, load]");
    }

    @Test
    void rejectsAFractionalHiddenSize() throws IOException {
        editJson(json -> json.put("hidden_size", 4.5));

        assertFormatError(dir, "model.json: hidden_size: expected an integer, found number 4.5");
    }

    @Test
    void rejectsAMissingField() throws IOException {
        editJson(json -> json.remove("gate_variant"));

        assertFormatError(dir, "model.json: gate_variant: expected a string, found nothing");
    }

    @Test
    void acceptsAndIgnoresTheScoringObjectOfFormatOne() throws IOException {
        editJson(json -> json.withObject("scoring").put("threshold", "high"));

        assertThat(ModelLoader.load(dir).spec()).isEqualTo(model.spec());
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"gru-stream/model/v1\",");

        assertFormatError(dir, "model.json: not valid JSON: ");
    }

    @Test
    void rejectsADuplicateJsonKey() throws IOException {
        String text = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), text.replaceFirst("\\{", "{\"hidden_size\": 8,"));

        assertFormatError(dir, "model.json: not valid JSON: Duplicate field 'hidden_size'");
    }

    @Test
    void acceptsAnIntegerVersion() throws IOException {
        editJson(json -> json.put("version", 7));

        assertThat(ModelLoader.load(dir).spec().version()).isEqualTo("7");
    }

    @Test
    void acceptsAMissingHorizonAsOne() throws IOException {
        editJson(json -> json.remove("horizon"));

        assertThat(ModelLoader.load(dir).spec().horizon()).isEqualTo(1);
    }

    @Test
    void loadsAZipTheWriterWrote() throws IOException {
        Path zip = temp.resolve("zipped/model.zip");
        ModelWriter.writeZip(model, zip);

        GruModel loaded = ModelLoader.load(zip);

        assertThat(loaded.spec()).isEqualTo(model.spec());
        assertThat(loaded.layer(1).weightIh()).containsExactly(model.layer(1).weightIh());
    }

    @Test
    void zipsTheSameModelToTheSameBytes() throws IOException {
        Path first = temp.resolve("first.zip");
        Path second = temp.resolve("second.zip");
        ModelWriter.writeZip(model, first);
        ModelWriter.writeZip(ModelLoader.load(dir), second);

        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void zipsWithoutTheTimeOfWriting() throws IOException {
        Path zip = temp.resolve("timeless.zip");
        ModelWriter.writeZip(model, zip);

        // Two zips written within a zip time's 2-second resolution hold one time whatever it is: the entries' own
        // times say whether the time of writing got in.
        try (ZipFile file = new ZipFile(zip.toFile())) {
            assertThat(Collections.list(file.entries())).isNotEmpty().allSatisfy(entry ->
                    assertThat(entry.getTimeLocal()).isEqualTo(LocalDateTime.of(1980, 1, 1, 0, 0)));
        }
    }

    @Test
    void writerRefusesADirectoryThatAlreadyHoldsFiles() {
        assertThatThrownBy(() -> ModelWriter.write(model, dir)).isInstanceOf(DirectoryNotEmptyException.class);
    }

    private static void assertFormatError(Path path, String message) {
        assertThatThrownBy(() -> ModelLoader.load(path))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(message);
    }

    private void editJson(Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve("model.json");
        ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(json);
        JSON.writeValue(file.toFile(), json);
    }

    private void writeNpy(String name, String descr, boolean fortran, int[] shape, float[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        writeNpy(name, descr, fortran, shape, data.array());
    }

    /** A .npy file with exactly this header, written by hand so that it can be wrong in chosen ways. */
    private void writeNpy(String name, String descr, boolean fortran, int[] shape, byte[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int dim : shape) {
            dims.append(dim).append(", ");
        }
        writeNpy(name, "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + dims.toString().strip() + "), }\n", data);
    }

    /** A .npy file whose header is the dictionary {@code dict}, as given. */
    private void writeNpy(String name, String dict, byte[] data) throws IOException {
        byte[] header = dict.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer file = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length);
        file.put(header).put(data);
        Files.write(dir.resolve(name), file.array());
    }

    private static byte[] doubles(int n, double value) {
        ByteBuffer data = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putDouble(value);
        }
        return data.array();
    }

    private static float[] floats(int n, float value) {
        float[] values = new float[n];
        Arrays.fill(values, value);
        return values;
    }

    /** An action that may fail to read. */
    private interface Reading {
        void run() throws IOException;
    }

    /** Bytes the calling thread allocates while {@code action} runs. */
    private static long allocatedBy(Reading action) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** {@link #zip} with the entry {@code name} (replaced or added) holding {@code size} zeros, a few KB packed. */
    private Path zipWithZeros(Path source, String prefix, String name, long size) throws IOException {
        Path zip = temp.resolve("model.zip");
        List<Path> files;
        try (Stream<Path> listing = Files.list(source)) {
            files = listing.filter(file -> !file.getFileName().toString().equals(name)).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream entries = new ZipOutputStream(out)) {
            for (Path file : files) {
                entries.putNextEntry(new ZipEntry(prefix + file.getFileName()));
                entries.write(Files.readAllBytes(file));
                entries.closeEntry();
            }
            entries.putNextEntry(new ZipEntry(prefix + name));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < size; written += zeros.length) {
                entries.write(zeros);
            }
            entries.closeEntry();
        }
        return zip;
    }

    private Path zip(Path source, String prefix) throws IOException {
        Path zip = temp.resolve("model.zip");
        List<Path> files;
        try (Stream<Path> listing = Files.list(source)) {
            files = listing.sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream entries = new ZipOutputStream(out)) {
            if (!prefix.isEmpty()) {
                entries.putNextEntry(new ZipEntry(prefix));
                entries.closeEntry();
            }
            for (Path file : files) {
                entries.putNextEntry(new ZipEntry(prefix + file.getFileName()));
                entries.write(Files.readAllBytes(file));
                entries.closeEntry();
            }
        }
        return zip;
    }
}
