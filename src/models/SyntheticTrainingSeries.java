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
 * walk, AR(1) noise with a random persistence, white noise, a daily cycle read from the clock (sine, square,
 * saw-tooth or a business-hours bump, peaking at a random hour), a weekend change, a shorter cycle counted in
 * events, rare level shifts, positive spikes and bursts (a stretch of raised, noisier values); some series are then
 * rounded to a step (integer-valued metrics) or floored at zero (utilisations, counts). Rows are 1 minute to an
 * hour apart, 5 minutes most often. None of the series the project evaluates on is among them.
 *
 * <p>Run with gru-stream's jar on the class path: {@code java -cp
 * "tools/target/gru-stream-tools.jar:tools/target/lib/*" src/models/SyntheticTrainingSeries.java OUT_DIR [SERIES]
 * [ROWS] [SEED]}. The same arguments write the same bytes on every JVM: java.util.Random, SplittableRandom and
 * StrictMath are specified exactly, and doubles are written with Double.toString.
 */
public final class SyntheticTrainingSeries {

    private static final long START = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
    private static final long INTERVAL = 5 * 60 * 1000;
    private static final long[] INTERVALS = {60_000, 300_000, 300_000, 300_000, 600_000, 1_800_000, 3_600_000};
    private static final int[] PERIODS = {12, 24, 48, 96, 144};
    private static final long DAY = 86_400_000L;
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
            Random random = new Random(seed * 1_000_003L + s);
            long interval = INTERVALS[random.nextInt(INTERVALS.length)];
            long start = START + random.nextInt(365) * DAY + random.nextInt(24) * 3_600_000L;
            double[] values = series(random, rows, start, interval);
            try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out.resolve(
                    String.format(Locale.ROOT, "synthetic-%04d.csv", s))))) {
                writer.print("timestamp,value\n");
                for (int i = 0; i < rows; i++) {
                    writer.print(Instant.ofEpochMilli(start + i * interval) + "," + values[i] + "\n");
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

    /** One series of {@code rows} values {@code interval} ms apart from {@code start}, drawn with {@code random}. */
    static double[] series(Random random, int rows, long start, long interval) {
        double level = StrictMath.pow(10, -2 + 5 * random.nextDouble());
        double scale = level * StrictMath.pow(10, -2 + 2 * random.nextDouble());
        double walk = maybe(random, 0.4) * scale * logUniform(random, 0.01, 0.5);
        double arWeight = maybe(random, 0.7) * scale * logUniform(random, 0.05, 1);
        double persistence = 1 - logUniform(random, 0.01, 1);
        double white = maybe(random, 0.8) * scale * logUniform(random, 0.02, 1);
        double daily = maybe(random, 0.6) * scale * logUniform(random, 0.2, 5);
        int dailyShape = random.nextInt(4);
        double peakHour = random.nextDouble();
        double weekend = maybe(random, 0.3) * scale * logUniform(random, 0.2, 3) * (random.nextBoolean() ? 1 : -1);
        double cycle = maybe(random, 0.2) * scale * logUniform(random, 0.2, 3);
        int period = PERIODS[random.nextInt(PERIODS.length)];
        double shiftRate = maybe(random, 0.3) * logUniform(random, 1e-4, 3e-3);
        double spikeRate = maybe(random, 0.3) * logUniform(random, 1e-3, 3e-2);
        double spikeSize = scale * logUniform(random, 1, 10);
        double burstRate = maybe(random, 0.2) * logUniform(random, 1e-3, 1e-2);
        double burstSize = scale * logUniform(random, 1, 10);
        boolean floorAtZero = random.nextDouble() < 0.3;
        double step = random.nextDouble() < 0.2 ? scale * logUniform(random, 0.05, 0.5) : 0;

        double[] values = new double[rows];
        double walked = 0;
        double ar = 0;
        double shift = 0;
        int burstLeft = 0;
        for (int i = 0; i < rows; i++) {
            long time = start + i * interval;
            walked += walk * random.nextGaussian();
            ar = persistence * ar + arWeight * StrictMath.sqrt(1 - persistence * persistence) * random.nextGaussian();
            if (random.nextDouble() < shiftRate) {
                shift += scale * (random.nextBoolean() ? 1 : -1) * logUniform(random, 0.5, 5);
            }
            double ofDay = (Math.floorMod(time, DAY) / (double) DAY - peakHour + 1.25) % 1.0;
            double dayShape = switch (dailyShape) {
                case 0 -> StrictMath.sin(2 * StrictMath.PI * ofDay);
                case 1 -> ofDay < 0.5 ? 1 : -1;
                case 2 -> 2 * ofDay - 1;
                default -> ofDay > 0.35 && ofDay < 0.75 ? 1 : -0.5;
            };
            long dayOfWeek = Math.floorMod(Math.floorDiv(time, DAY) + 3, 7);
            double cyclePosition = ((double) i / period) % 1.0;
            double value = level + walked + ar + shift + daily * dayShape + (dayOfWeek >= 5 ? weekend : 0)
                    + cycle * StrictMath.sin(2 * StrictMath.PI * cyclePosition) + white * random.nextGaussian();
            if (burstLeft == 0 && random.nextDouble() < burstRate) {
                burstLeft = 3 + random.nextInt(60);
            }
            if (burstLeft > 0) {
                value += burstSize * (0.5 + random.nextDouble());
                burstLeft--;
            }
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
