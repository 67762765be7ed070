package dev.grustream.model;

/** How a model with a horizon above 1 forecasts the steps after the first. */
public enum MultiStep {
    /**
     * The head forecasts every step 1..horizon of every target from the same hidden state, in one product: format
     * v2. Works with any inputs, calendar ones included.
     */
    DIRECT,
    /**
     * The head forecasts one step; the model feeds each forecast back as the next input to reach the following
     * step: format v1 models with a horizon above 1. Needs every feature to be a target and no calendar inputs.
     */
    RECURSIVE
}
