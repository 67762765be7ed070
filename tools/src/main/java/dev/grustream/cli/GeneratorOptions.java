package dev.grustream.cli;

import dev.grustream.embedded.SyntheticSeries;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of the synthetic-series generator, shared by {@code demo} and {@code generate}. */
final class GeneratorOptions {
    @Option(names = "--keys", defaultValue = "20", description = "Number of series (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--rate", defaultValue = "200",
            description = "Observations per second over all series (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "DURATION", converter = Durations.Seconds.class,
            description = "Stop after this long (45s, 5m, 2h; a plain number is seconds); 0 runs until stopped"
                    + " (default).")
    Duration duration;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the series (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The series these options describe, with points five minutes apart in their own time line. */
    SyntheticSeries newSeries() {
        return new SyntheticSeries(keys, seed, 300_000, 0);
    }

    /** When to stop, in {@link System#nanoTime()} terms; {@link Long#MAX_VALUE} when running until stopped. */
    long deadlineNanos() {
        return duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    }
}
