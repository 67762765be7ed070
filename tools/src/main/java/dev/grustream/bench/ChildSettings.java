package dev.grustream.bench;

import dev.grustream.config.ConfigSources;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Hands settings to a child JVM of the tools (the soak's service, the benchmark's load generator) in a file that only
 * this user may read, not on its command line, which every user of the machine may read while it runs: the settings
 * may hold credentials ({@code sasl.jaas.config}, a registry URL's user info). Stateless.
 */
final class ChildSettings {
    private ChildSettings() {
    }

    /**
     * Gives {@code child} {@code settings}: written to a new properties file in {@code dir}, readable by this user
     * only on a file system with POSIX permissions (elsewhere, as {@code dir} lets its files be read: Windows gives a
     * user's temporary directory to that user alone) and deleted when this JVM exits, and named by {@code --config
     * FILE} at the end of its command; every {@code GRU_STREAM_*} variable that names a setting, which would outrank
     * the file, is left out of its environment: {@code settings} hold the environment's already
     * ({@link ConfigSources#merge}), and those the caller left out must stay out. Delete the file once the child has
     * read it, where this JVM may be killed before it exits.
     *
     * @return the file
     */
    static Path pass(Map<String, String> settings, Path dir, ProcessBuilder child) throws IOException {
        Path file = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, "child-", ".properties",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "child-", ".properties");
        file.toFile().deleteOnExit();
        Properties properties = new Properties();
        properties.putAll(settings);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        }
        List<String> command = new ArrayList<>(child.command());
        command.addAll(List.of("--config", file.toString()));
        child.command(command);
        child.environment().entrySet().removeIf(variable -> !ConfigSources.fromEnvironment(
                Map.of(variable.getKey(), variable.getValue())).isEmpty());
        return file;
    }
}
