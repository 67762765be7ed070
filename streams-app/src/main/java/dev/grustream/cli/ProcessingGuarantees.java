package dev.grustream.cli;

import java.util.Locale;
import org.apache.kafka.streams.StreamsConfig;

/** The {@code --guarantee} option of {@code bench} and {@code soak}: spelled with dashes on the command line. */
final class ProcessingGuarantees {
    private ProcessingGuarantees() {
    }

    /**
     * The Kafka Streams {@code processing.guarantee} for {@code at-least-once} or {@code exactly-once-v2} (either
     * case, dashes or underscores).
     *
     * @throws IllegalArgumentException naming the option and the value for anything else
     */
    static String parse(String option) {
        return switch (option.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "at-least-once" -> StreamsConfig.AT_LEAST_ONCE;
            case "exactly-once-v2" -> StreamsConfig.EXACTLY_ONCE_V2;
            default -> throw new IllegalArgumentException("--guarantee must be at-least-once or exactly-once-v2, found "
                    + option);
        };
    }
}
