package dev.grustream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grustream.config.ConfigSources;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildSettingsTest {
    private static final Map<String, String> SETTINGS = Map.of("bootstrap.servers", "broker:9093",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                    + " password=\"p=s#w\";");

    @TempDir
    Path dir;

    @Test
    void theSettingsAreNotOnTheCommandLine() throws IOException {
        ProcessBuilder child = new ProcessBuilder("java", "Main");
        ChildSettings.pass(SETTINGS, dir, child);

        assertThat(String.join(" ", child.command())).doesNotContain("password").doesNotContain("broker:9093");
    }

    @Test
    void theChildReadsTheSettingsFromAFileOnlyThisUserMayRead() throws IOException {
        ProcessBuilder child = new ProcessBuilder("java", "Main");
        Path file = ChildSettings.pass(SETTINGS, dir, child);

        assertThat(child.command()).containsExactly("java", "Main", "--config", file.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties read = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            read.load(in);
        }
        assertThat(read).containsExactlyInAnyOrderEntriesOf(SETTINGS);
    }

    @Test
    void theEnvironmentDoesNotOutrankTheChildsSettingsNorAddSettingsTheCallerLeftOut() throws IOException {
        ProcessBuilder child = new ProcessBuilder("java", "Main");
        child.environment().put(ConfigSources.environmentVariableOf("bootstrap.servers"), "elsewhere:9092");
        child.environment().put(ConfigSources.environmentVariableOf("input.format"), "json");
        child.environment().put("GRU_STREAM_JAVA_OPTS", "-Xss2m");

        ChildSettings.pass(SETTINGS, dir, child);

        assertThat(child.environment()).doesNotContainKeys(ConfigSources.environmentVariableOf("bootstrap.servers"),
                ConfigSources.environmentVariableOf("input.format")).containsEntry("GRU_STREAM_JAVA_OPTS", "-Xss2m");
    }
}
