package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {
    @TempDir
    Path dir;

    @Test
    void aModelZipIsLoadedFromItsBytes() throws IOException {
        assertThat(ModelSource.fromZip(modelZip(), dir).spec().version()).isEqualTo("7");
    }

    @Test
    void aTemporaryCopyThatCannotBeWrittenIsNotCalledAnInvalidModel() throws IOException {
        byte[] zip = modelZip();
        Path missing = dir.resolve("no-such-directory");

        assertThatThrownBy(() -> ModelSource.fromZip(zip, missing))
                .isInstanceOf(ModelSource.TemporaryCopyException.class)
                .hasMessageContaining("cannot write a temporary copy of the model zip in " + missing);
    }

    private byte[] modelZip() throws IOException {
        Path model = dir.resolve("model");
        ModelWriter.write(TestingModels.persistence("7"), model);
        return ModelTopic.zipOf(model);
    }
}
