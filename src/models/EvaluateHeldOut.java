import dev.grustream.data.FeatureMapping;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelLoader;
import dev.grustream.train.Accuracy;
import dev.grustream.train.ForecastEvaluation;
import dev.grustream.train.SeriesFiles;
import dev.grustream.train.TrainingSeries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints a model's one-step MASE against the persistence forecast on every series CSV file of some directories:
 * each series run causally from a new key's state with the Java stepper and the model's normalisation, as the
 * service would run it, every row from the second one scored.
 *
 * <p>{@code java -cp "streams-app/target/gru-stream.jar:streams-app/target/lib/*" src/models/EvaluateHeldOut.java
 * MODEL DIR...}
 */
public final class EvaluateHeldOut {

    private EvaluateHeldOut() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EvaluateHeldOut.java MODEL DIR...");
            System.exit(2);
        }
        GruModel model = ModelLoader.load(Path.of(args[0]));
        String feature = model.spec().features().get(0);
        List<Double> all = new ArrayList<>();
        System.out.printf(Locale.ROOT, "| series | rows | MAE | persistence MAE | MASE |%n| --- | ---: | ---: | ---: | ---: |%n");
        for (int d = 1; d < args.length; d++) {
            Path dir = Path.of(args[d]);
            SeriesFiles.Loaded data = SeriesFiles.read(List.of(dir), List.of(feature),
                    FeatureMapping.identity(List.of(feature)));
            for (TrainingSeries series : data.series()) {
                Accuracy accuracy = ForecastEvaluation.evaluate(model, series, 1).get(0);
                all.add(accuracy.mase());
                System.out.printf(Locale.ROOT, "| %s/%s | %d | %.4g | %.4g | %.3f |%n", dir.getFileName(),
                        series.key(), accuracy.rows(), accuracy.meanAbsoluteError(),
                        accuracy.naiveAbsoluteError() / accuracy.rows(), accuracy.mase());
            }
        }
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        System.out.printf(Locale.ROOT, "%nmedian MASE %.3f over %d series; %d below 1; worst %.3f%n", median, n,
                Arrays.stream(sorted).filter(mase -> mase < 1).count(), sorted[n - 1]);
    }
}
