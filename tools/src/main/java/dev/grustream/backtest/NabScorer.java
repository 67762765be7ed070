package dev.grustream.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores anomaly scores the way the Numenta Anomaly Benchmark (NAB v1.1) does, so that a detector's NAB score can be
 * computed without NAB's own code or Python.
 *
 * <p>The rules: each file's first {@code min(floor(0.15 n), 750)} rows are a probation and count for nothing. A row
 * is detected when its score reaches the threshold. Inside a labelled window {@code [a, b]} only the earliest
 * detection counts, worth {@code A_TP * sigma(-(b - i + 1)/W) / sigma(-1)} (W the window's width, {@code sigma(y) =
 * 2/(1 + e^(5y)) - 1}, -1 beyond y = 3); a window without detection costs {@code A_FN}. A detection outside windows
 * costs {@code A_FP} before the first window, and {@code A_FP * sigma((i - b')/(W' - 1))} after window {@code [a',
 * b']}. One threshold for all the files scored together is chosen to maximise the total (every distinct score is
 * tried, ties go to the highest); the total is normalised to {@code 100 (raw - null) / (perfect - null)}, where the
 * null detector outputs a constant and the perfect one earns {@code A_TP} per window.
 *
 * <p>Checked against the scores an independent scorer gave on fixed result files in {@code NabScorerTest}. Immutable
 * and thread-safe.
 */
public final class NabScorer {
    /** NAB's three profiles: the weights of a true positive, a false positive and a false negative. */
    public record Profile(String name, double truePositive, double falsePositive, double falseNegative) {
    }

    public static final Profile STANDARD = new Profile("standard", 1.0, 0.11, 1.0);
    public static final Profile LOW_FP = new Profile("low FP", 1.0, 0.22, 1.0);
    public static final Profile LOW_FN = new Profile("low FN", 1.0, 0.11, 2.0);
    public static final List<Profile> PROFILES = List.of(STANDARD, LOW_FP, LOW_FN);

    private static final double MAX_TRUE_POSITIVE = sigma(-1.0);
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[ ]['T']HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    /**
     * One file's rows as the scorer sees them: their scores, and per scorable row the window it lies in and what
     * a detection there is worth before weighting.
     */
    public static final class File {
        private final String key;
        private final double[] scores;
        private final int[] window;
        private final double[] inside;
        private final double[] outside;
        private final int windows;
        private final int windowCount;

        /**
         * @param times each row's timestamp in milliseconds since the epoch
         * @param scores each row's anomaly score
         * @param windowLimits the labelled windows as {start, end} timestamps; each must be a row's timestamp
         * @throws IllegalArgumentException when the lengths differ, a window's limits are not rows, or windows
         *     overlap
         */
        public File(String key, long[] times, double[] scores, List<long[]> windowLimits) {
            if (times.length != scores.length) {
                throw new IllegalArgumentException(key + ": " + times.length + " timestamps but " + scores.length
                        + " scores");
            }
            int n = times.length;
            int probation = (int) Math.min(Math.floor(0.15 * n), 750);
            List<int[]> limits = new ArrayList<>();
            for (long[] limit : windowLimits) {
                int a = indexOf(times, limit[0]);
                int b = indexOf(times, limit[1]);
                if (a < 0 || b < 0 || b < a) {
                    throw new IllegalArgumentException(key + ": a window's limits " + Arrays.toString(limit)
                            + " are not the timestamps of rows in order");
                }
                limits.add(new int[] {a, b});
            }
            limits.sort((x, y) -> Integer.compare(x[0], y[0]));
            int[] windowOf = new int[n];
            double[] in = new double[n];
            double[] out = new double[n];
            Arrays.fill(windowOf, -1);
            Arrays.fill(out, -1.0);
            for (int w = 0; w < limits.size(); w++) {
                int a = limits.get(w)[0];
                int b = limits.get(w)[1];
                if (w > 0 && a <= limits.get(w - 1)[1]) {
                    throw new IllegalArgumentException(key + ": windows overlap");
                }
                double width = b - a + 1;
                for (int i = a; i <= b; i++) {
                    windowOf[i] = w;
                    in[i] = sigma(-(b - i + 1) / width);
                    out[i] = 0.0;
                }
                int next = w + 1 < limits.size() ? limits.get(w + 1)[0] : n;
                for (int i = b + 1; i < next; i++) {
                    out[i] = sigma((i - b) / (width - 1));
                }
            }
            this.key = key;
            this.scores = Arrays.copyOfRange(scores, probation, n);
            this.window = Arrays.copyOfRange(windowOf, probation, n);
            this.inside = Arrays.copyOfRange(in, probation, n);
            this.outside = Arrays.copyOfRange(out, probation, n);
            this.windows = (int) Arrays.stream(this.window).filter(w -> w >= 0).distinct().count();
            this.windowCount = limits.size();
        }

        public String key() {
            return key;
        }

        /** What detecting scorable row {@code i} is worth under {@code profile}. */
        double value(int i, Profile profile) {
            return window[i] >= 0 ? inside[i] * profile.truePositive() / MAX_TRUE_POSITIVE
                    : outside[i] * profile.falsePositive();
        }

        private static int indexOf(long[] times, long time) {
            for (int i = 0; i < times.length; i++) {
                if (times[i] == time) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** A profile's result over a set of files. */
    public record Result(Profile profile, double threshold, double raw, double normalized, int windows,
            int windowsDetected, long falsePositiveRows) {
    }

    private NabScorer() {
    }

    /** The result of {@code files} under {@code profile} at the threshold that maximises their total. */
    public static Result score(Collection<File> files, Profile profile) {
        return at(files, profile, bestThreshold(files, profile));
    }

    /** The result of {@code files} under {@code profile} at a threshold chosen elsewhere. */
    public static Result at(Collection<File> files, Profile profile, double threshold) {
        double raw = 0;
        int windows = 0;
        int detected = 0;
        long falsePositives = 0;
        for (File file : files) {
            Map<Integer, Double> best = new HashMap<>();
            for (int i = 0; i < file.scores.length; i++) {
                if (file.scores[i] < threshold) {
                    continue;
                }
                double value = file.value(i, profile);
                if (file.window[i] >= 0) {
                    best.merge(file.window[i], value, Math::max);
                } else {
                    raw += value;
                    falsePositives++;
                }
            }
            for (int w : Arrays.stream(file.window).filter(w -> w >= 0).distinct().toArray()) {
                Double value = best.get(w);
                raw += value == null ? -profile.falseNegative() : Math.max(-profile.falseNegative(), value);
            }
            windows += file.windows;
            detected += best.size();
        }
        return new Result(profile, threshold, raw, normalized(files, profile, raw), windows, detected,
                falsePositives);
    }

    /**
     * A raw total over {@code files} on NAB's 0-100 scale: 0 for a detector that outputs a constant, 100 for one
     * that detects every window at its start and nothing else.
     */
    public static double normalized(Collection<File> files, Profile profile, double raw) {
        Share total = new Share(raw, 0, 0, 0);
        for (File file : files) {
            total = total.plus(constant(file, profile));
        }
        return total.normalized();
    }

    /**
     * One file's share of a normalised score: {@link #at} its raw total at {@code threshold}, with what a constant
     * detector and a perfect one total on it.
     */
    public static Share share(File file, Profile profile, double threshold) {
        Share constant = constant(file, profile);
        return new Share(at(List.of(file), profile, threshold).raw(), constant.nothing(), constant.everything(),
                constant.perfect());
    }

    /**
     * What a set of files contributes to a normalised score, summed file by file: the detector's raw total, the
     * totals of a constant detector that detects nothing and one that detects every row, and a perfect detector's
     * total. Shares add up, so a score can be recomputed for any multiset of files without scoring rows again.
     */
    public record Share(double raw, double nothing, double everything, double perfect) {

        public Share plus(Share other) {
            return new Share(raw + other.raw, nothing + other.nothing, everything + other.everything,
                    perfect + other.perfect);
        }

        /** The total on NAB's 0-100 scale, against the better of the two constant detectors. */
        public double normalized() {
            double nullRaw = Math.max(nothing, everything);
            return 100.0 * (raw - nullRaw) / (perfect - nullRaw);
        }
    }

    /**
     * The threshold that maximises the files' total under {@code profile}: every distinct score is a candidate,
     * detecting nothing (1.1) too, and ties go to the highest. One pass over the rows in decreasing score order.
     */
    public static double bestThreshold(Collection<File> files, Profile profile) {
        List<double[]> rows = new ArrayList<>();
        int windowBase = 0;
        int windows = 0;
        for (File file : files) {
            for (int i = 0; i < file.scores.length; i++) {
                rows.add(new double[] {file.scores[i], file.window[i] >= 0 ? windowBase + file.window[i] : -1,
                        file.value(i, profile)});
            }
            windowBase += file.windowCount;
            windows += file.windows;
        }
        rows.sort((x, y) -> Double.compare(y[0], x[0]));
        double total = -profile.falseNegative() * windows;
        double bestTotal = total;
        double best = rows.isEmpty() || rows.get(0)[0] < 1.1 ? 1.1 : Double.POSITIVE_INFINITY;
        Map<Integer, Double> windowBest = new HashMap<>();
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            int w = (int) row[1];
            if (w < 0) {
                total += row[2];
            } else {
                double previous = windowBest.getOrDefault(w, -profile.falseNegative());
                double now = Math.max(previous, Math.max(row[2], -profile.falseNegative()));
                total += now - previous;
                windowBest.put(w, now);
            }
            boolean lastOfScore = r + 1 == rows.size() || rows.get(r + 1)[0] != row[0];
            if (lastOfScore && total > bestTotal) {
                bestTotal = total;
                best = row[0];
            }
        }
        return best;
    }

    /** The totals on {@code file} of the two constant detectors and of a perfect one; no raw total. */
    private static Share constant(File file, Profile profile) {
        double everything = 0;
        Map<Integer, Double> best = new HashMap<>();
        for (int i = 0; i < file.scores.length; i++) {
            if (file.window[i] >= 0) {
                best.merge(file.window[i], file.value(i, profile), Math::max);
            } else {
                everything += file.value(i, profile);
            }
        }
        for (double value : best.values()) {
            everything += Math.max(-profile.falseNegative(), value);
        }
        return new Share(0, -profile.falseNegative() * file.windows, everything,
                profile.truePositive() * file.windowCount);
    }

    /** {@code 2/(1 + e^(5y)) - 1}, and -1 beyond {@code y = 3}. */
    static double sigma(double y) {
        return y > 3.0 ? -1.0 : 2.0 / (1.0 + Math.exp(5.0 * y)) - 1.0;
    }

    /** A NAB timestamp ({@code yyyy-MM-dd HH:mm:ss}, optionally with a fraction) in milliseconds since the epoch. */
    public static long parseTime(String text) {
        return LocalDateTime.parse(text.trim(), TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /**
     * Reads NAB's {@code combined_windows.json}: for each {@code <category>/<file>.csv}, its windows as {start, end}
     * in milliseconds since the epoch.
     */
    public static Map<String, List<long[]>> readWindows(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Map<String, List<long[]>> windows = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            List<long[]> limits = new ArrayList<>();
            for (JsonNode window : entry.getValue()) {
                limits.add(new long[] {parseTime(window.get(0).asText()), parseTime(window.get(1).asText())});
            }
            windows.put(entry.getKey().replace('\\', '/'), limits);
        }
        return windows;
    }
}
