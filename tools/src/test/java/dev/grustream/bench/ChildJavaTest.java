package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChildJavaTest {
    @Test
    void aChildOfJava17GetsItsHeapAndClassPathOnly() {
        assertThat(ChildJava.command(17, "1g")).containsExactly(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"));
    }

    @Test
    void aChildOfJava24AndLaterIsAllowedWhatTheLauncherAllows() throws IOException {
        assertThat(ChildJava.command(24, "1g")).containsSubsequence("-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp");
        String launcher = Files.readString(Path.of("..", "gru-stream"), StandardCharsets.UTF_8);
        assertThat(launcher).contains("allowed=\"" + String.join(" ", ChildJava.JAVA_24_ALLOWED) + "\"");
    }
}
