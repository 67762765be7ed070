package dev.grustream.cli;

import dev.grustream.train.DataSummary;
import dev.grustream.train.EpochReport;
import dev.grustream.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a training run's progress: on a terminal a bar redrawn in place while an epoch runs, and one line per
 * epoch with its losses. Not thread-safe; the trainer calls it from one thread.
 */
final class ProgressBar implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final int epochs;
    private final boolean redraw;
    private int drawn = -1;

    /**
     * @param redraw whether to redraw a bar in place with carriage returns (a terminal), or only print lines
     */
    ProgressBar(PrintWriter out, int epochs, boolean redraw) {
        this.out = out;
        this.epochs = epochs;
        this.redraw = redraw;
    }

    @Override
    public void started(DataSummary data, EpochReport initial) {
        out.printf(Locale.ROOT, "Training on %,d keys: %,d training rows in %,d windows (%,d batches per epoch),"
                + " %,d validation rows; %,d parameters%n", data.keys(), data.trainRows(), data.windows(),
                data.batchesPerEpoch(), data.validationRows(), data.parameters());
        out.printf(Locale.ROOT, "epoch %4d  untrained   validation %.5f (persistence %.5f)  MASE %.3f%n", 0,
                initial.validationLoss(), initial.persistenceLoss(), initial.validationMase());
        out.flush();
    }

    @Override
    public void batch(int epoch, int batch, int batches, double loss) {
        if (!redraw) {
            return;
        }
        int filled = batch * WIDTH / batches;
        if (filled == drawn && batch != batches) {
            return;
        }
        drawn = filled;
        out.printf(Locale.ROOT, "\repoch %4d/%d [%s%s] %d/%d loss %.5f", epoch, epochs, "=".repeat(filled),
                " ".repeat(WIDTH - filled), batch, batches, loss);
        out.flush();
    }

    @Override
    public void epoch(EpochReport report) {
        if (redraw) {
            out.print("\r" + " ".repeat(WIDTH + 50) + "\r");
        }
        drawn = -1;
        out.printf(Locale.ROOT, "epoch %4d  train %.5f  validation %.5f (persistence %.5f)  MASE %.3f  %.1f s%s%n",
                report.epoch(), report.trainLoss(), report.validationLoss(), report.persistenceLoss(),
                report.validationMase(), report.nanos() / 1e9, report.best() ? "  *" : "");
        out.flush();
    }
}
