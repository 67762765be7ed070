package dev.grustream.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The files under {@code docker/}, found from the test's working directory, and the keys their variables may set. */
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

    /** Every document of the YAML file at {@code relative}, in order. */
    static List<JsonNode> yamlDocuments(String relative) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class)
                .readValues(root().resolve(relative).toFile())) {
            return documents.readAll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(root().resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key a GRU_STREAM_* variable may set: gru-stream's own, Kafka Streams' and its clients', the serde's. */
    static Set<String> knownKeys() {
        Set<String> keys = new HashSet<>(GruStreamConfig.definition().names());
        keys.addAll(StreamsConfig.configDef().names());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        keys.addAll(AvroSerdeConfig.configDef().names());
        return keys;
    }

    /** Variables that logback.xml reads; they also reach the config as harmless unknown keys. */
    static Set<String> loggingVariables() throws IOException {
        String logback = Files.readString(root().resolve("streams-app/src/main/resources/logback.xml"));
        Set<String> names = new HashSet<>();
        Matcher matcher = Pattern.compile("\\$\\{(GRU_STREAM_[A-Z_]+)").matcher(logback);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
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
