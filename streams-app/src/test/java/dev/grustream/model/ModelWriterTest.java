package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelWriterTest {
    @TempDir
    Path temp;

    private final GruModel model = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 1).build(), 3);

    @Test
    void aZipReplacesAnEarlierOneWithTheNewModel() throws IOException {
        Path zip = Files.writeString(temp.resolve("model.zip"), "an earlier model");

        ModelWriter.writeZip(model, zip);

        assertThat(ModelLoader.load(zip).spec()).isEqualTo(model.spec());
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(zip);
        }
    }

    @Test
    void aZipIsMovedIntoPlaceEvenWhenAKilledWriterLeftItsPartialFile() throws IOException {
        Path zip = Files.writeString(temp.resolve("model.zip"), "an earlier model");
        Files.writeString(temp.resolve("model.zip.partial"), "left by a killed writer");
        Object earlierFile = Files.readAttributes(zip, BasicFileAttributes.class).fileKey();
        assumeTrue(earlierFile != null, "file keys (inodes)");

        ModelWriter.writeZip(model, zip);

        // Written in place, the zip would keep its inode, and a failed write would have spoilt the earlier model.
        assertThat(Files.readAttributes(zip, BasicFileAttributes.class).fileKey()).isNotEqualTo(earlierFile);
        assertThat(ModelLoader.load(zip).spec()).isEqualTo(model.spec());
    }

    @Test
    void aModelDirectoryIsWrittenBesideAndMovedIntoPlaceWhole() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("model"));
        Object emptyDirectory = Files.readAttributes(directory, BasicFileAttributes.class).fileKey();
        assumeTrue(emptyDirectory != null, "file keys (inodes)");

        ModelWriter.write(model, directory);

        // Written in place, the directory would keep its inode, and a failed write would leave files in it.
        assertThat(Files.readAttributes(directory, BasicFileAttributes.class).fileKey()).isNotEqualTo(emptyDirectory);
        assertThat(ModelLoader.load(directory).spec()).isEqualTo(model.spec());
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(directory);
        }
    }

    @Test
    void aModelDirectoryThatHoldsFilesIsRefused() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("model"));
        Files.writeString(directory.resolve("notes.txt"), "another model's");

        assertThatThrownBy(() -> ModelWriter.write(model, directory)).isInstanceOf(DirectoryNotEmptyException.class);
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).containsExactly(directory.resolve("notes.txt"));
        }
    }

    @Test
    void aModelThatAnotherWriterPutInPlaceFirstIsLeftAsItIs() throws IOException {
        Path partial = Files.createDirectory(temp.resolve("model.partial"));
        Files.writeString(partial.resolve("model.json"), "this writer's");
        Path directory = Files.createDirectory(temp.resolve("model"));
        Files.writeString(directory.resolve("model.json"), "the other writer's");

        assertThatThrownBy(() -> ModelWriter.moveIntoPlace(model, partial, directory))
                .isInstanceOf(DirectoryNotEmptyException.class);
        assertHoldsOnlyTheOtherWritersFile(directory);
    }

    @Test
    void filesWrittenInPlaceNeverOverwriteAnotherWritersFiles() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("model"));
        Files.writeString(directory.resolve("model.json"), "the other writer's");

        assertThatThrownBy(() -> ModelWriter.writeFiles(model, directory))
                .isInstanceOf(DirectoryNotEmptyException.class);
        assertHoldsOnlyTheOtherWritersFile(directory);
    }

    private static void assertHoldsOnlyTheOtherWritersFile(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).containsExactly(directory.resolve("model.json"));
        }
        assertThat(directory.resolve("model.json")).hasContent("the other writer's");
    }

    @Test
    void aZipGetsTheSamePermissionsAsAnyNewFileThere() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path zip = temp.resolve("model.zip");
        Path probe = Files.createFile(temp.resolve("probe"));

        ModelWriter.writeZip(model, zip);

        assertThat(Files.getPosixFilePermissions(zip)).isEqualTo(Files.getPosixFilePermissions(probe));
    }

    @Test
    void aZipBehindALinkIsWrittenWhereTheLinkPoints() throws IOException {
        Path target = Files.writeString(temp.resolve("target.zip"), "an earlier model");
        Path link = Files.createSymbolicLink(temp.resolve("link.zip"), target);

        ModelWriter.writeZip(model, link);

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(ModelLoader.load(target).spec()).isEqualTo(model.spec());
    }

    @Test
    void theFingerprintIsTheSameForTheSameModelAndAnotherForOtherWeights() {
        GruModel other = TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 1).build(), 4);

        assertThat(ModelWriter.fingerprint(model)).matches("[0-9a-f]{12}")
                .isEqualTo(ModelWriter.fingerprint(TestModels.random(TestModels.spec(GateVariant.RESET_AFTER, 4, 1)
                        .build(), 3)))
                .isNotEqualTo(ModelWriter.fingerprint(other));
    }
}
