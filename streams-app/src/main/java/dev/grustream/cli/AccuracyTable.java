package dev.grustream.cli;

import dev.grustream.forecast.Accuracy;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints forecast accuracy per key and target, then overall per target. */
final class AccuracyTable {
    private AccuracyTable() {
    }

    static void print(PrintWriter out, Map<String, Map<String, Accuracy>> byKey) {
        String format = "%-40s %-12s %8s %12s %12s %9s %7s%n";
        out.printf(format, "key", "target", "n", "MAE", "RMSE", "MAPE %", "MASE");
        Map<String, Accuracy> overall = new LinkedHashMap<>();
        byKey.forEach((key, byTarget) -> byTarget.forEach((target, accuracy) -> {
            row(out, format, key, target, accuracy);
            overall.computeIfAbsent(target, t -> new Accuracy()).addAll(accuracy);
        }));
        overall.forEach((target, accuracy) -> row(out, format, "(all keys)", target, accuracy));
    }

    private static void row(PrintWriter out, String format, String key, String target, Accuracy accuracy) {
        out.printf(format, key.length() > 40 ? key.substring(0, 37) + "..." : key, target, accuracy.count(),
                number(accuracy.mae()), number(accuracy.rmse()), number(accuracy.mape()), number(accuracy.mase()));
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return Math.abs(value) >= 1e5 || (value != 0 && Math.abs(value) < 1e-3)
                ? String.format("%.3e", value) : String.format("%.4f", value);
    }
}
