package dev.grustream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./gru-stream} launcher, run from a copy of the repository's layout with a stand-in for Java and a PATH
 * that holds neither java nor Maven: which java it runs and when it decides to build.
 */
class LauncherScriptTest {
    private static final Instant BUILD_STARTED = Instant.parse("2026-01-01T00:00:00Z");
    /** The tools the script calls, besides java and Maven. */
    private static final List<String> TOOLS = List.of("bash", "dirname", "readlink", "find", "sed", "head", "tail",
            "mktemp", "rm", "touch");

    @TempDir
    Path dir;
    Path root;
    Path javaHome;
    Path bin;

    @BeforeEach
    void layOutABuiltRepository() throws IOException {
        root = Files.createDirectories(dir.resolve("repo"));
        Path script = Files.copy(Path.of("..", "gru-stream").toAbsolutePath().normalize(), root.resolve("gru-stream"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = Files.createDirectories(root.resolve("tools/target"));
        Files.createDirectories(target.resolve("lib"));
        for (String module : List.of("", "schemas/", "streams-app/", "tools/")) {
            Files.createDirectories(root.resolve(module + "src/main"));
            at(Files.writeString(root.resolve(module + "pom.xml"), "<project/>"), BUILD_STARTED.minusSeconds(60));
        }
        at(Files.writeString(target.resolve(".gru-stream-built"), ""), BUILD_STARTED);
        at(Files.writeString(target.resolve("gru-stream-tools.jar"), ""), BUILD_STARTED.plusSeconds(120));

        javaHome = dir.resolve("jdk");
        standInJava("17");

        bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : TOOLS) {
            putOnPath(tool);
        }
    }

    /** A java in {@link #javaHome} that reports {@code version} and prints its arguments. */
    private void standInJava(String version) throws IOException {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, String.join("\n", "#!/bin/sh",
                "if [ \"$1\" = -XshowSettings:properties ]; then",
                "  echo '    java.specification.version = " + version + "'",
                "  exit 0",
                "fi",
                "echo \"stand-in java: $*\"", ""));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void putOnPath(String tool) throws IOException {
        Path found = List.of("/usr/bin", "/bin").stream().map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(found != null, tool + " is not in /usr/bin or /bin here");
        Files.createSymbolicLink(bin.resolve(tool), found);
    }

    private static Path at(Path file, Instant time) throws IOException {
        return Files.setLastModifiedTime(file, FileTime.from(time));
    }

    /** Runs {@code script --version} with the PATH of the tools alone; returns its exit code and output. */
    private Result launch(Path script) throws IOException, InterruptedException {
        return finish(start(script));
    }

    private Process start(Path script) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "--version").redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        builder.environment().put("JAVA_HOME", javaHome.toString());
        return builder.start();
    }

    private static Result finish(Process process) throws IOException, InterruptedException {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }

    @Test
    void runsTheJavaOfJavaHomeWhenThePathHasNone() throws Exception {
        Result result = launch(root.resolve("gru-stream"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).startsWith("stand-in java: -XX:+ExitOnOutOfMemoryError -cp "
                + root.resolve("tools/target/gru-stream-tools.jar")
                + ":" + root.resolve("tools/target/lib") + "/* dev.grustream.cli.GruStreamTools --version");
    }

    @Test
    void aJavaHomeWithoutAJavaIsRefusedRatherThanPassedOverForThePathsJava() throws Exception {
        putOnPath("java");
        Files.delete(javaHome.resolve("bin/java"));

        Result result = launch(root.resolve("gru-stream"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("JAVA_HOME is " + javaHome + ", which has no bin/java");
    }

    @Test
    void onJava24OrLaterTheLibrariesNativeCodeAndUnsafeAreAllowedRatherThanWarnedAboutOnEveryRun() throws Exception {
        standInJava("25");

        Result result = launch(root.resolve("gru-stream"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).startsWith("stand-in java: -XX:+ExitOnOutOfMemoryError"
                + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp ");
    }

    @Test
    void aSourceSavedWhileTheLastBuildRanIsBuilt() throws Exception {
        // Older than the jar, which the build wrote at its end, but newer than the build's start.
        at(Files.writeString(root.resolve("tools/src/main/Saved.java"), "class Saved {}"),
                BUILD_STARTED.plusSeconds(60));

        Result result = launch(root.resolve("gru-stream"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("the build is missing or stale and Maven (mvn) is not installed");
    }

    @Test
    void aLauncherStartedWhileAnotherBuildsWaitsForThatBuildAndBuildsNothing() throws Exception {
        for (String tool : List.of("flock", "mkdir", "sleep")) {
            putOnPath(tool);
        }
        Path builds = dir.resolve("builds.log");
        Path mvn = Files.writeString(bin.resolve("mvn"), String.join("\n", "#!/bin/sh",
                "echo started >> '" + builds + "'",
                "sleep 2",
                "mkdir -p tools/target/lib",
                "echo ended >> '" + builds + "'", ""));
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        at(Files.writeString(root.resolve("tools/src/main/Saved.java"), "class Saved {}"),
                BUILD_STARTED.plusSeconds(60));

        Process first = start(root.resolve("gru-stream"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(builds) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Process second = start(root.resolve("gru-stream"));
        Result firstResult = finish(first);
        Result secondResult = finish(second);

        assertThat(firstResult.exit()).as(firstResult.output()).isZero();
        assertThat(secondResult.exit()).as(secondResult.output()).isZero();
        assertThat(Files.readAllLines(builds)).containsExactly("started", "ended");
    }

    @Test
    void runsThroughASymbolicLinkFromElsewhere() throws Exception {
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("home/bin")).resolve("gru-stream"),
                root.resolve("gru-stream"));

        Result result = launch(link);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains(root.resolve("tools/target/gru-stream-tools.jar").toString());
    }
}
