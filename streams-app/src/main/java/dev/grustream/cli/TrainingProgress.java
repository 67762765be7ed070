package dev.grustream.cli;

import dev.grustream.train.DataSummary;
import dev.grustream.train.EpochReport;
import dev.grustream.train.TrainingListener;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run's progress: one line per epoch with its losses and, on a terminal, a progress bar with the
 * running loss while an epoch runs. Not thread-safe; the trainer calls it from one thread.
 */
final class TrainingProgress implements TrainingListener {
    private final PrintWriter out;
    private final PrintStream terminal;
    private final int epochs;
    private ProgressBar bar;
    /** Whether any row is held out: without, the epoch lines leave out the validation figures, all NaN. */
    private boolean validated;

    /**
     * @param out where the epoch lines go
     * @param terminal where the bar is drawn, or null for no bar (output that is not a terminal)
     */
    TrainingProgress(PrintWriter out, PrintStream terminal, int epochs) {
        this.out = out;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    @Override
    public void started(DataSummary data, EpochReport initial) {
        out.printf(Locale.ROOT, "Training on %,d keys: %,d training rows in %,d windows (%,d batches per epoch),"
                + " %,d validation rows; %,d parameters%n", data.keys(), data.trainRows(), data.windows(),
                data.batchesPerEpoch(), data.validationRows(), data.parameters());
        validated = data.validationRows() > 0;
        if (validated) {
            out.printf(Locale.ROOT, "epoch %4d  untrained   validation %.5f (persistence %.5f)  MASE %.3f%n", 0,
                    initial.validationLoss(), initial.persistenceLoss(), initial.validationMase());
        }
        out.flush();
    }

    @Override
    public void batch(int epoch, int batch, int batches, double loss) {
        if (terminal == null) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUnit(" batches", 1)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal)).build();
        }
        bar.stepTo(batch);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.5f", loss));
    }

    @Override
    public void epoch(EpochReport report) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        if (validated) {
            out.printf(Locale.ROOT, "epoch %4d  train %.5f  validation %.5f (persistence %.5f)  MASE %.3f  %.1f s%s%n",
                    report.epoch(), report.trainLoss(), report.validationLoss(), report.persistenceLoss(),
                    report.validationMase(), report.nanos() / 1e9, report.best() ? "  *" : "");
        } else {
            out.printf(Locale.ROOT, "epoch %4d  train %.5f  %.1f s%n", report.epoch(), report.trainLoss(),
                    report.nanos() / 1e9);
        }
        out.flush();
    }
}
