import dev.grustream.embedded.SyntheticSeries;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Writes synthetic series CSV files for training the bundled default model: a broad family of processes that
 * operational metrics resemble, so that the model learns to tell from a key's recent history how much of each
 * move is noise to smooth away and how much is signal to follow; and, in {@code demo.csv}, a week of the series the
 * demo streams ({@code dev.grustream.embedded.SyntheticSeries}), so that the demo shows the model on its home
 * ground.
 *
 * <p>Each series draws, on log-uniform scales so that any of them may dominate: a level (10^-2 .. 10^3), a random
 * walk, AR(1) noise with a random persistence, white noise, a daily or shorter seasonality (sine, square or
 * saw-tooth), rare level shifts and positive spikes; some series are then rounded to a step (integer-valued
 * metrics) or floored at zero (utilisations, counts). Rows are 5 minutes apart.
 *
 * <p>Run with gru-stream's jar on the class path:
 * {@code java -cp streams-app/target/gru-stream.jar src/models/SyntheticTrainingSeries.java OUT_DIR [SERIES] [ROWS]
 * [SEED]}. The same arguments write the same bytes on every JVM: java.util.Random, SplittableRandom and StrictMath
 * are specified exactly, and doubles are written with Double.toString.
 */
public final class SyntheticTrainingSeries {

    private static final long START = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
    private static final long INTERVAL = 5 * 60 * 1000;
    private static final int[] PERIODS = {12, 24, 48, 96, 144, 288};
    /** Keys and points per key of the demo's series: a week of 5-minute points. */
    private static final int DEMO_KEYS = 20;
    private static final int DEMO_POINTS = 7 * 288;

    private SyntheticTrainingSeries() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: java -cp gru-stream.jar SyntheticTrainingSeries.java OUT_DIR [SERIES=200]"
                    + " [ROWS=2000] [SEED=1]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        Files.createDirectories(out);
        for (int s = 0; s < count; s++) {
            double[] values = series(new Random(seed * 1_000_003L + s), rows);
            try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out.resolve(
                    String.format(Locale.ROOT, "synthetic-%04d.csv", s))))) {
                writer.print("timestamp,value\n");
                for (int i = 0; i < rows; i++) {
                    writer.print(Instant.ofEpochMilli(START + i * INTERVAL) + "," + values[i] + "\n");
                }
            }
        }
        writeDemo(out.resolve("demo.csv"), seed);
    }

    /** The demo's series, all keys in one file with a key column. */
    private static void writeDemo(Path file, long seed) throws IOException {
        SyntheticSeries demo = new SyntheticSeries(DEMO_KEYS, seed, INTERVAL, START);
        try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(file))) {
            writer.print("timestamp,key,value\n");
            for (int i = 0; i < DEMO_KEYS * DEMO_POINTS; i++) {
                SyntheticSeries.Point point = demo.next();
                writer.print(Instant.ofEpochMilli(point.eventTime()) + "," + point.key() + "," + point.value() + "\n");
            }
        }
    }

    /** One series of {@code rows} values drawn with {@code random}. */
    static double[] series(Random random, int rows) {
        double level = StrictMath.pow(10, -2 + 5 * random.nextDouble());
        double scale = level * StrictMath.pow(10, -2 + 2 * random.nextDouble());
        double walk = maybe(random, 0.5) * scale * logUniform(random, 0.01, 0.5);
        double arWeight = maybe(random, 0.7) * scale * logUniform(random, 0.05, 1);
        double persistence = 1 - logUniform(random, 0.01, 1);
        double white = maybe(random, 0.8) * scale * logUniform(random, 0.02, 1);
        double seasonal = maybe(random, 0.6) * scale * logUniform(random, 0.2, 3);
        int period = PERIODS[random.nextInt(PERIODS.length)];
        int shape = random.nextInt(3);
        double phase = random.nextDouble();
        double shiftRate = maybe(random, 0.3) * logUniform(random, 1e-4, 3e-3);
        double spikeRate = maybe(random, 0.3) * logUniform(random, 1e-3, 3e-2);
        double spikeSize = scale * logUniform(random, 1, 10);
        boolean floorAtZero = random.nextDouble() < 0.3;
        double step = random.nextDouble() < 0.2 ? scale * logUniform(random, 0.05, 0.5) : 0;

        double[] values = new double[rows];
        double walked = 0;
        double ar = 0;
        double shift = 0;
        for (int i = 0; i < rows; i++) {
            walked += walk * random.nextGaussian();
            ar = persistence * ar + arWeight * StrictMath.sqrt(1 - persistence * persistence) * random.nextGaussian();
            if (random.nextDouble() < shiftRate) {
                shift += scale * (random.nextBoolean() ? 1 : -1) * logUniform(random, 0.5, 5);
            }
            double cycle = ((double) i / period + phase) % 1.0;
            double season = switch (shape) {
                case 0 -> StrictMath.sin(2 * StrictMath.PI * cycle);
                case 1 -> cycle < 0.5 ? 1 : -1;
                default -> 2 * cycle - 1;
            };
            double value = level + walked + ar + shift + seasonal * season + white * random.nextGaussian();
            if (random.nextDouble() < spikeRate) {
                value += spikeSize * random.nextDouble();
            }
            if (floorAtZero) {
                value = Math.max(0, value);
            }
            if (step > 0) {
                value = StrictMath.rint(value / step) * step;
            }
            values[i] = value;
        }
        return values;
    }

    /** 1 with probability {@code p}, else 0: whether a series has a component. */
    private static double maybe(Random random, double p) {
        return random.nextDouble() < p ? 1 : 0;
    }

    private static double logUniform(Random random, double low, double high) {
        return low * StrictMath.exp(StrictMath.log(high / low) * random.nextDouble());
    }
}
