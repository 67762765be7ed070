package dev.grustream.model.internals;

import dev.grustream.model.ModelSpec;

/** Checks the arguments of {@code GruStepper.step} against a model's sizes. Stateless; thread-safe. */
final class StepArguments {

    private StepArguments() {
    }

    /**
     * Checks that the batch size is not negative and that each array holds at least {@code batch} rows.
     *
     * @throws IllegalArgumentException naming the argument, the length needed and the length found
     */
    static void check(ModelSpec spec, int batch, float[] inputs, float[] states, float[] forecasts) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch: expected >= 0, found " + batch);
        }
        require("inputs", inputs, batch, spec.inputCount());
        require("states", states, batch, spec.stateSize());
        require("forecasts", forecasts, batch, spec.forecastSize());
    }

    private static void require(String name, float[] array, int batch, int rowSize) {
        long needed = (long) batch * rowSize;
        if (array.length < needed) {
            throw new IllegalArgumentException(name + ": expected at least " + needed + " values (" + batch
                    + " rows of " + rowSize + "), found " + array.length);
        }
    }
}
