package dev.grustream.topology;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.event.Level;

/**
 * How many events of a kind the log is told of: the first {@code perWindow} of each kind in each window, the others
 * counted, and the count reported with the next one told of. A flood of bad records (a producer writing another
 * format, a bug failing every record) would otherwise write a line, or a stack trace, per record, while the
 * dead-letter topic and {@code gru_dead_letters_total} keep every one. Written here because neither SLF4J nor Logback
 * throttles by kind: Logback's {@code DuplicateMessageFilter} drops a message pattern for good after its first
 * repetitions, and Log4j's {@code BurstFilter} is not Logback's.
 *
 * <p>Thread-safe. The kinds should be few (reason codes, instances): beyond {@value #MAX_KINDS}, a new kind makes the
 * throttle forget those told nothing for a window (peers that come and go, say).
 */
public final class LogThrottle {
    static final int MAX_KINDS = 1_000;

    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** How to log one event: at {@code level}, its line ending in {@code heldBack}. */
    public record Told(Level level, String heldBack) {
    }

    /** One kind's current window. Guarded by itself. */
    private static final class Window {
        private long start;
        private int told;
        private long heldBack;

        Window(long start) {
            this.start = start;
        }
    }

    /** Ten events of each kind a minute, on the system's clock: what every throttled log line of gru-stream uses. */
    public static LogThrottle tenAMinute() {
        return new LogThrottle(10, Duration.ofMinutes(1), System::nanoTime);
    }

    /**
     * @param perWindow the events of a kind told of in each window
     * @param nanoTime the clock, {@code System::nanoTime} outside tests
     */
    LogThrottle(int perWindow, Duration window, LongSupplier nanoTime) {
        this.perWindow = perWindow;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Counts an event of {@code kind} and says how to log it: at {@code level}, with the count of those not told of
     * since the last that was, while its window admits it; else at DEBUG, with nothing more.
     */
    public Told tell(String kind, Level level) {
        long heldBack = admit(kind);
        return heldBack >= 0 ? new Told(level, heldBack(heldBack, kind)) : new Told(Level.DEBUG, "");
    }

    /**
     * Counts an event of {@code kind}: returns -1 if it is not to be told of, else how many events of its kind were
     * not told of since the last one that was.
     */
    long admit(String kind) {
        long now = nanoTime.getAsLong();
        Window window = windows.get(kind);
        if (window == null) {
            if (windows.size() >= MAX_KINDS) {
                // A window another thread still holds is only detached: its count goes nowhere, which is harmless.
                windows.values().removeIf(idle -> {
                    synchronized (idle) {
                        return now - idle.start >= windowNanos;
                    }
                });
            }
            window = windows.computeIfAbsent(kind, k -> new Window(now));
        }
        synchronized (window) {
            if (now - window.start >= windowNanos) {
                window.start = now;
                window.told = 0;
            }
            if (window.told >= perWindow) {
                window.heldBack++;
                return -1;
            }
            window.told++;
            long heldBack = window.heldBack;
            window.heldBack = 0;
            return heldBack;
        }
    }

    /** How many kinds it keeps a window for. */
    int kinds() {
        return windows.size();
    }

    /** What a line told of after {@code heldBack} events of {@code kind} were not adds: nothing when none were. */
    String heldBack(long heldBack, String kind) {
        return heldBack <= 0 ? "" : " (and " + heldBack + " more " + kind + " since the last such line, logged at DEBUG"
                + " only: at most " + perWindow + " per " + windowNanos / 1_000_000_000L + " s are logged at this"
                + " level)";
    }
}
