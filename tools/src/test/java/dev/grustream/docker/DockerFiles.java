package dev.grustream.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The files under {@code docker/}, found from the test's working directory, read for checking. */
final class DockerFiles {
    private static final YAMLMapper YAML = new YAMLMapper();

    private DockerFiles() {
    }

    /** The repository root: the nearest ancestor of the working directory holding {@code docker/compose.yaml}. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/compose.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No docker/compose.yaml above " + Path.of("").toAbsolutePath());
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(root().resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Dockerfile instruction: its keyword and the rest of its (continued) line. */
    record Instruction(String keyword, String arguments) {
    }

    /** The service Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<Instruction> dockerfile() {
        return dockerfile("docker/Dockerfile");
    }

    /** The instructions of the Dockerfile at {@code relative}, continuation lines joined, comments dropped. */
    static List<Instruction> dockerfile(String relative) {
        List<String> lines;
        try {
            lines = Files.readAllLines(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            instructions.add(new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT),
                    text.substring(space + 1).strip()));
        }
        return instructions;
    }
}
