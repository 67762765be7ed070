package dev.grustream.cli;

import dev.grustream.config.ConfigSources;
import dev.grustream.config.GruStreamConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options shared by the commands that run the service: a file plus overrides. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file with gru-stream, Kafka Streams and serde settings.")
    Path file;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A setting that overrides the file and the GRU_STREAM_* environment; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The merged configuration: defaults < file < environment < these options, plus {@code extra} on top. */
    GruStreamConfig load(Map<String, String> extra) {
        Map<String, String> cli = new LinkedHashMap<>(overrides);
        cli.putAll(extra);
        return new GruStreamConfig(ConfigSources.merge(file, System.getenv(), cli));
    }
}
