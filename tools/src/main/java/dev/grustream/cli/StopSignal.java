package dev.grustream.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The stop request of a command that runs until it is stopped (Ctrl-C, SIGTERM), through a shutdown hook that lets
 * the command finish its cleanup: the hook waits until the command is {@linkplain #close() done}, at most the given
 * limit. It waits for that, not for the command's thread to end, because that thread goes on to
 * {@code System.exit}, which blocks while shutdown hooks run: waiting for it held every stop for the whole limit.
 *
 * <p>Open it first and close it last, after the command's cleanup. Thread-safe.
 */
final class StopSignal implements AutoCloseable {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    StopSignal(String name, Duration cleanupLimit) {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                done.await(cleanupLimit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits up to {@code timeout} for a stop request; true if one came. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return requested.await(timeout, unit);
    }

    /** Waits for a stop request. */
    void await() throws InterruptedException {
        requested.await();
    }

    /**
     * Throws {@link Stopped} if a stop was requested: for a command that works in steps rather than waiting, so that
     * the cleanup of the step at hand runs as the exception unwinds it.
     */
    void checkNotRequested() {
        if (requested.getCount() == 0) {
            throw new Stopped();
        }
    }

    /** A stop request met by {@link #checkNotRequested()}. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /** Marks the command done, which ends a stopping JVM's wait, or removes the hook when none is stopping. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // The JVM is stopping: the hook runs and returns at once.
        }
    }
}
