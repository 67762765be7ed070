package dev.grustream.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of the command line of a child JVM of the tools (the benchmark's broker and load generator, the soak's
 * service): this JVM's {@code java}, a heap, the options the launcher gives the same Java to allow what the libraries
 * do (not its {@code -XX:+ExitOnOutOfMemoryError}), and this JVM's class path.
 * Stateless.
 */
public final class ChildJava {
    /**
     * What {@code ./gru-stream} allows on Java 24 and later, which otherwise warns on every run when RocksDB and ND4J
     * load their native libraries and when Kafka's clients use {@code sun.misc.Unsafe}. Keep in step with the
     * launcher.
     */
    static final List<String> JAVA_24_ALLOWED = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private ChildJava() {
    }

    /** The command up to the main class: this JVM's {@code java} with {@code -Xmx} of {@code heap}. */
    public static List<String> command(String heap) {
        return command(Runtime.version().feature(), heap);
    }

    static List<String> command(int javaFeatureVersion, String heap) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap));
        if (javaFeatureVersion >= 24) {
            command.addAll(JAVA_24_ALLOWED);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return command;
    }
}
