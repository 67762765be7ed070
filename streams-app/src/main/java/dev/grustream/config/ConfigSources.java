package dev.grustream.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the sources of configuration in order of precedence: defaults &lt; properties file &lt; environment &lt;
 * command line.
 *
 * <p>Environment variables named {@code GRU_STREAM_<KEY>} set {@code <key>}, read the way Confluent's images read
 * theirs: the part after the prefix is lower-cased, then {@code ___} becomes {@code _}, {@code __} becomes {@code -}
 * and {@code _} becomes {@code .}. So {@code GRU_STREAM_SCHEMA_REGISTRY_URL} sets {@code schema.registry.url} and
 * {@code GRU_STREAM_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}. The launcher's own variables
 * ({@link #LAUNCHER_VARIABLES}: JVM options and log levels) are not settings, and neither are the variables
 * Kubernetes gives a pod for each Service of its namespace ({@link #isServiceLink}): a Service named
 * {@code gru-stream-http} would otherwise set {@code http.port} to {@code tcp://10.0.0.5:8080}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigSources {
    public static final String ENV_PREFIX = "GRU_STREAM_";
    /** Variables the launcher and the logging configuration read, which set nothing in the service. */
    public static final Set<String> LAUNCHER_VARIABLES = Set.of("GRU_STREAM_JAVA_OPTS", "GRU_STREAM_LOG_LEVEL",
            "GRU_STREAM_KAFKA_LOG_LEVEL");

    private static final Logger LOG = LoggerFactory.getLogger(ConfigSources.class);
    private static final int BYTE_ORDER_MARK = '\uFEFF';
    /** Kubernetes' {@code <SERVICE>_SERVICE_HOST}, {@code _SERVICE_PORT} and {@code _SERVICE_PORT_<NAME>}. */
    private static final Pattern SERVICE_ADDRESS = Pattern.compile(".+_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)");
    /** Kubernetes' {@code <SERVICE>_PORT_<NUMBER>_<PROTOCOL>} and its {@code _PROTO}, {@code _PORT}, {@code _ADDR}. */
    private static final Pattern SERVICE_PORT_DETAIL =
            Pattern.compile(".+_PORT_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?");
    /** The value of Kubernetes' {@code <SERVICE>_PORT} and {@code <SERVICE>_PORT_<NUMBER>_<PROTOCOL>}. */
    private static final Pattern SERVICE_URL = Pattern.compile("(tcp|udp|sctp)://[^/]+:[0-9]+");

    private ConfigSources() {
    }

    /**
     * Whether {@code GRU_STREAM_*} variable {@code name} is one of those Kubernetes sets for a Service whose name
     * starts with {@code gru-stream} (unless the pod has {@code enableServiceLinks: false}): no gru-stream or Kafka
     * key ends in {@code service.host} or {@code service.port} or has a port number and protocol in its name, and
     * {@code <SERVICE>_PORT} holds a {@code tcp://host:port} URL, never a setting's value.
     */
    static boolean isServiceLink(String name, String value) {
        return SERVICE_ADDRESS.matcher(name).matches() || SERVICE_PORT_DETAIL.matcher(name).matches()
                || (name.endsWith("_PORT") && SERVICE_URL.matcher(value).matches());
    }

    /**
     * Returns the merged settings, with a warning for each key the environment sets over the file's other value.
     *
     * @param file a properties file, or {@code null} for none
     * @param environment the process environment (usually {@code System.getenv()})
     * @param overrides settings given on the command line
     * @throws ConfigException if the file cannot be read
     */
    public static Map<String, String> merge(Path file, Map<String, String> environment,
            Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readFile(file));
        }
        environment.forEach((name, value) -> {
            if (!isSetting(name, value)) {
                return;
            }
            String key = keyOf(name);
            String fileValue = merged.put(key, value);
            if (fileValue != null && !fileValue.strip().equals(value.strip()) && !overrides.containsKey(key)) {
                // Easily missed: an image's own variable (GRU_STREAM_STATE_DIR) outranks the file mounted into it.
                LOG.warn("Setting {} is taken from the environment ({}), not from {}", key, name, file);
            }
        });
        merged.putAll(overrides);
        return merged;
    }

    /** The settings named by {@code GRU_STREAM_*} variables of {@code environment}. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> settings = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (isSetting(name, value)) {
                settings.put(keyOf(name), value);
            }
        });
        return settings;
    }

    /** Whether variable {@code name} sets a key: a {@code GRU_STREAM_*} neither the launcher's nor a service link. */
    private static boolean isSetting(String name, String value) {
        return name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()
                && !LAUNCHER_VARIABLES.contains(name) && !isServiceLink(name, value);
    }

    /**
     * The key an environment variable sets: {@code GRU_STREAM_TOPIC_ALERTS} gives {@code topic.alerts},
     * {@code GRU_STREAM_MAX__POLL___RECORDS} gives {@code max-poll_records}. A run of underscores is read three at a
     * time, then two, then one.
     */
    public static String keyOf(String environmentVariable) {
        String name = environmentVariable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        StringBuilder key = new StringBuilder(name.length());
        int i = 0;
        while (i < name.length()) {
            if (name.startsWith("___", i)) {
                key.append('_');
                i += 3;
            } else if (name.startsWith("__", i)) {
                key.append('-');
                i += 2;
            } else {
                key.append(name.charAt(i) == '_' ? '.' : name.charAt(i));
                i++;
            }
        }
        return key.toString();
    }

    /** The environment variable that sets {@code key}: {@code topic.alerts} gives {@code GRU_STREAM_TOPIC_ALERTS}. */
    public static String environmentVariableOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace("_", "___").replace("-", "__").replace('.', '_');
    }

    private static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // A byte order mark, as some editors save, would otherwise start the first key and so hide its setting.
            reader.mark(1);
            if (reader.read() != BYTE_ORDER_MARK) {
                reader.reset();
            }
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name, properties.getProperty(name).trim()));
        return settings;
    }
}
