package dev.grustream.cli;

import dev.grustream.forecast.Accuracy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints forecast accuracy: one step ahead per key and target, then every step over all keys, per target. */
final class AccuracyTable {
    private AccuracyTable() {
    }

    /** @param byKey per key and target, the accuracy of each step 1..H */
    static void print(PrintWriter out, Map<String, Map<String, List<Accuracy>>> byKey) {
        String format = "%-40s %-12s %8s %12s %12s %9s %7s %7s %7s%n";
        out.println("One step ahead, per key (MASE against persistence; sMASE against the value a day earlier;"
                + " cover: the share inside the interval):");
        out.printf(format, "key", "target", "n", "MAE", "RMSE", "MAPE %", "MASE", "sMASE", "cover");
        Map<String, List<Accuracy>> overall = new LinkedHashMap<>();
        byKey.forEach((key, byTarget) -> byTarget.forEach((target, steps) -> {
            Accuracy step = steps.get(0);
            out.printf(format, key.length() > 40 ? key.substring(0, 37) + "..." : key, target, step.count(),
                    number(step.mae()), number(step.rmse()), number(step.mape()), number(step.mase()),
                    number(step.seasonalMase()), number(step.coverage()));
            List<Accuracy> pooled = overall.computeIfAbsent(target, t -> new ArrayList<>());
            for (int k = 0; k < steps.size(); k++) {
                if (pooled.size() <= k) {
                    pooled.add(new Accuracy());
                }
                pooled.get(k).addAll(steps.get(k));
            }
        }));
        String stepFormat = "%-12s %5s %8s %12s %7s %7s %7s%n";
        overall.forEach((target, steps) -> {
            out.printf(Locale.ROOT, "%nEvery step, all keys, target %s:%n", target);
            out.printf(stepFormat, "target", "step", "n", "MAE", "MASE", "sMASE", "cover");
            for (int k = 0; k < steps.size(); k++) {
                Accuracy step = steps.get(k);
                out.printf(stepFormat, target, k + 1, step.count(), number(step.mae()), number(step.mase()),
                        number(step.seasonalMase()), number(step.coverage()));
            }
        });
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (Double.isInfinite(value)) {
            return "inf";
        }
        return Math.abs(value) >= 1e5 || (value != 0 && Math.abs(value) < 1e-3)
                ? String.format(Locale.ROOT, "%.3e", value) : String.format(Locale.ROOT, "%.4f", value);
    }
}
