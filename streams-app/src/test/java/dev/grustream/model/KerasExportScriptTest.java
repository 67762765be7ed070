package dev.grustream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Keras exporter's own check ({@code python3 src/reference/keras_export.py}): its conversion agrees with Keras'
 * equations and it refuses layers and heads gru-stream would not run as Keras does. Skipped where python3 with numpy
 * is not installed.
 */
class KerasExportScriptTest {
    private static final Path SCRIPTS = Path.of("..", "src", "reference");

    @Test
    void theConversionAgreesWithKerasAndRefusesWhatItCannotRun() throws Exception {
        ProcessBuilder script = new ProcessBuilder("python3", "keras_export.py").directory(SCRIPTS.toFile())
                .redirectErrorStream(true);
        // Nothing written into the source tree.
        script.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process python;
        try {
            python = script.start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not available: " + e.getMessage());
            return;
        }
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).as("the script finished").isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(!output.contains("No module named 'numpy'"), "numpy is not installed");

        assertThat(python.exitValue()).as(output).isZero();
        assertThat(output).contains("a head with an activation or without a bias is refused");
    }
}
