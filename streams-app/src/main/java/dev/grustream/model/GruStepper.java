package dev.grustream.model;

/**
 * Advances the hidden states of a batch of independent keys by one event and forecasts their next values.
 *
 * <p>Arrays are row-major, one row per key, in the model's order and normalised units:
 * {@code inputs} is [batch, inputCount], {@code states} is [batch, numLayers * hiddenSize] (layer 0 first;
 * a new key starts from zeros) and is updated in place, and {@code forecasts} receives
 * [batch, horizon, targetCount]. Rows beyond {@code batch} are neither read nor written. A key's results depend
 * only on its own input and state, never on the batch size or the other keys (see {@link GruModel}).
 *
 * <p>{@code
 * try (GruStepper stepper = model.newStepper(Backend.JAVA)) { stepper.step(n, inputs, states, forecasts); }
 * }
 *
 * <p>Not thread-safe: a stepper reuses preallocated buffers. Create one per thread from the thread-safe
 * {@link GruModel}; close it when done (the ND4J backend frees off-heap memory).
 */
public interface GruStepper extends AutoCloseable {

    /** The model this stepper runs. */
    GruModel model();

    /**
     * Advances {@code batch} keys by one event.
     *
     * @param batch number of keys, >= 0
     * @param inputs [batch, inputCount] normalised features, then the calendar inputs
     * @param states [batch, stateSize] hidden states, replaced by the new states
     * @param forecasts [batch, horizon, targetCount] receives the normalised forecasts
     * @throws IllegalArgumentException if {@code batch} is negative or an array is too short for it
     */
    void step(int batch, float[] inputs, float[] states, float[] forecasts);

    /** Releases what the stepper holds; it must not be used afterwards. */
    @Override
    void close();
}
