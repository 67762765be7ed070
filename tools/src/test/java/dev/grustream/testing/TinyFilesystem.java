package dev.grustream.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A way to give a child process a small filesystem of its own, so that a test can fill a disk for real: a
 * {@code tmpfs} of a given size mounted over a directory in a private mount namespace ({@code unshare --mount}),
 * seen only by that process and gone when it exits. Running as root is not a way around a full disk, nor around a
 * read-only mount (it is around file permissions, which is why a directory without write permission proves nothing).
 *
 * <p>Needs util-linux's {@code unshare} and either root or unprivileged user namespaces; {@link #launcher(Path, int)}
 * says whether this machine can.
 */
public final class TinyFilesystem {
    private TinyFilesystem() {
    }

    /**
     * The command that mounts a tmpfs of {@code megabytes} MiB over {@code directory} and then runs the command it is
     * given, if this machine allows it; empty otherwise. Creates the directory (the mount point) if needed.
     */
    public static Optional<List<String>> launcher(Path directory, int megabytes) throws IOException,
            InterruptedException {
        return launcher(directory, "size=" + megabytes + "m");
    }

    /** As {@link #launcher(Path, int)}, but the filesystem is mounted read-only: nothing can be created in it. */
    public static Optional<List<String>> readOnlyLauncher(Path directory) throws IOException, InterruptedException {
        return launcher(directory, "ro,size=1m");
    }

    private static Optional<List<String>> launcher(Path directory, String mountOptions) throws IOException,
            InterruptedException {
        Files.createDirectories(directory);
        for (List<String> unshare : List.of(List.of("unshare", "--mount", "--propagation", "private"),
                List.of("unshare", "--map-root-user", "--mount", "--propagation", "private"))) {
            List<String> launcher = new ArrayList<>(unshare);
            launcher.addAll(List.of("sh", "-c", "mount -t tmpfs -o " + mountOptions + " tmpfs \"$0\" && exec \"$@\"",
                    directory.toString()));
            if (works(launcher)) {
                return Optional.of(launcher);
            }
        }
        return Optional.empty();
    }

    private static boolean works(List<String> launcher) throws InterruptedException {
        List<String> probe = new ArrayList<>(launcher);
        probe.add("true");
        try {
            Process process = new ProcessBuilder(probe).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
