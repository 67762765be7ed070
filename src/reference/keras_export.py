#!/usr/bin/env python3
"""Writes the weights of a Keras GRU (with a Dense head) in gru-stream's model format, and checks the conversion.

Keras keeps a GRU layer's weights as [kernel [in, 3H], recurrent_kernel [H, 3H], bias] with the gate blocks in the
order z, r, h; bias is [2, 3H] (input row, recurrent row) with reset_after=True, its default, and [3H] with
reset_after=False. gru-stream reads PyTorch's layout: [3H, in] and [3H, H] matrices with the blocks in the order
r, z, n, and two biases. The conversion transposes, swaps the first two blocks and splits the bias; a reset-before
layer has no recurrent bias, so it gets zeros. Keras computes h' = z * h + (1 - z) * hh, which is gru-stream's
h' = (1 - z) * n + z * h. The layers must use Keras' default activations (tanh, and sigmoid for the gates), biases,
and run forwards: export() reads each layer's get_config() and refuses any other (hard_sigmoid, the default of Keras
before 2.3, would otherwise load and run as sigmoid, and forecast wrongly without a word); the Dense head must be
linear with a bias, as gru-stream's is.

Use, with numpy only (the Keras model need not be importable where this runs):

    from keras_export import export
    export("out", [layer.get_weights() for layer in gru_layers], dense.get_weights(),
           configs=[layer.get_config() for layer in gru_layers], dense_config=dense.get_config(),
           spec={"name": "latency", "version": "1", "features": ["value"], "targets": ["value"], "horizon": 12,
                 "calendar": [], "time_zone": "UTC", "normalization": {"mean": [mu], "std": [sigma]}})

Run it as a script to check the conversion: a Keras cell written from Keras' equations and gru-stream's reference
cell (gru_reference.py) are stepped on random weights and inputs, both variants, and must agree to 1e-12.

    python3 src/reference/keras_export.py
"""

import json
import os

import numpy as np


def _reorder(blocks):
    """Keras' gate blocks z, r, h along the last axis, as r, z, n."""
    z, r, h = np.split(blocks, 3, axis=-1)
    return np.concatenate([r, z, h], axis=-1)


# What gru-stream computes: anything else in a layer's get_config() would be run as these, and forecast wrongly.
_REQUIRED = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "go_backwards": False}


def check_config(k, config):
    """Refuses a GRU layer's get_config() that gru-stream would not run as Keras does; returns its reset_after."""
    for key, required in _REQUIRED.items():
        found = config.get(key, required)
        if found != required:
            raise ValueError("GRU layer %d: %s is %r; gru-stream runs %r only" % (k, key, found, required))
    # A config without the key comes from a Keras older than the argument, whose GRU computed the reset-before form.
    return config.get("reset_after", False)


def check_head_config(config):
    """Refuses the Dense head's get_config() unless it is linear with a bias, which is what gru-stream's head is."""
    activation = config.get("activation", "linear")
    if activation != "linear":
        raise ValueError("the Dense head's activation is %r; gru-stream's head is linear (a %s head would be run"
                         " without it)" % (activation, activation))
    if not config.get("use_bias", True):
        raise ValueError("the Dense head has use_bias=False; gru-stream's head has a bias (export a zero bias"
                         " in its place)")


def convert(gru_layers, dense, reset_after):
    """The arrays of the model format, by file name, from Keras' get_weights() of each GRU layer and of the head."""
    arrays = {}
    for k, weights in enumerate(gru_layers):
        if len(weights) != 3:
            raise ValueError("GRU layer %d: expected [kernel, recurrent_kernel, bias], found %d arrays (a layer"
                             " with use_bias=False cannot be exported)" % (k, len(weights)))
        kernel, recurrent_kernel, bias = weights
        arrays["weight_ih_l%d" % k] = _reorder(kernel).T
        arrays["weight_hh_l%d" % k] = _reorder(recurrent_kernel).T
        if reset_after:
            arrays["bias_ih_l%d" % k] = _reorder(bias[0])
            arrays["bias_hh_l%d" % k] = _reorder(bias[1])
        else:
            arrays["bias_ih_l%d" % k] = _reorder(bias)
            arrays["bias_hh_l%d" % k] = np.zeros_like(bias)
    if len(dense) != 2:
        raise ValueError("the Dense head: expected [kernel, bias], found %d arrays" % len(dense))
    kernel, bias = dense
    arrays["head_weight"] = kernel.T
    arrays["head_bias"] = bias
    return arrays


def export(directory, gru_layers, dense, configs, dense_config, spec):
    """Writes model.json and the .npy files; configs are the GRU layers' get_config(), dense_config the head's, spec
    holds the model.json fields the weights do not tell."""
    check_head_config(dense_config)
    if len(configs) != len(gru_layers):
        raise ValueError("expected one get_config() per GRU layer: %d layers, %d configs" % (len(gru_layers),
                                                                                        len(configs)))
    variants = {check_config(k, config) for k, config in enumerate(configs)}
    if len(variants) != 1:
        raise ValueError("the GRU layers mix reset_after=True and False; gru-stream runs one variant per model")
    reset_after = variants.pop()
    os.makedirs(directory, exist_ok=True)
    for name, array in convert(gru_layers, dense, reset_after).items():
        np.save(os.path.join(directory, name + ".npy"), np.ascontiguousarray(array, dtype="<f4"))
    model = {"format": "gru-stream/model/v2", "hidden_size": gru_layers[0][1].shape[0],
             "num_layers": len(gru_layers), "gate_variant": "reset_after" if reset_after else "reset_before"}
    model.update(spec)
    with open(os.path.join(directory, "model.json"), "w") as out:
        json.dump(model, out, indent=1)


def keras_step(x, h, kernel, recurrent_kernel, bias, reset_after):
    """One step of Keras' GRU cell, from its equations, in Keras' own layout."""
    units = h.shape[1]
    if reset_after:
        matrix_x = x @ kernel + bias[0]
        matrix_inner = h @ recurrent_kernel + bias[1]
        x_z, x_r, x_h = np.split(matrix_x, 3, axis=-1)
        rec_z, rec_r, rec_h = np.split(matrix_inner, 3, axis=-1)
        z = 1 / (1 + np.exp(-(x_z + rec_z)))
        r = 1 / (1 + np.exp(-(x_r + rec_r)))
        hh = np.tanh(x_h + r * rec_h)
    else:
        x_z, x_r, x_h = np.split(x @ kernel + bias, 3, axis=-1)
        z = 1 / (1 + np.exp(-(x_z + h @ recurrent_kernel[:, :units])))
        r = 1 / (1 + np.exp(-(x_r + h @ recurrent_kernel[:, units:2 * units])))
        hh = np.tanh(x_h + (r * h) @ recurrent_kernel[:, 2 * units:])
    return z * h + (1 - z) * hh


def _check():
    from gru_reference import gru_layer_step

    rng = np.random.default_rng(7)
    worst = 0.0
    for reset_after in (True, False):
        features, hidden, layers, targets, keys = 3, 8, 2, 4, 5
        keras_layers = []
        for k in range(layers):
            inputs = features if k == 0 else hidden
            bias = rng.normal(size=(2, 3 * hidden) if reset_after else 3 * hidden)
            keras_layers.append((rng.normal(size=(inputs, 3 * hidden)), rng.normal(size=(hidden, 3 * hidden)), bias))
        dense = (rng.normal(size=(hidden, targets)), rng.normal(size=targets))
        arrays = convert(keras_layers, dense, reset_after)
        variant = "reset_after" if reset_after else "reset_before"
        keras_h = [np.zeros((keys, hidden)) for _ in range(layers)]
        ours_h = [np.zeros((keys, hidden)) for _ in range(layers)]
        for _ in range(50):
            x = rng.normal(size=(keys, features))
            keras_in, ours_in = x, x
            for k in range(layers):
                keras_h[k] = keras_step(keras_in, keras_h[k], *keras_layers[k], reset_after)
                ours_h[k] = gru_layer_step(ours_in, ours_h[k], arrays["weight_ih_l%d" % k],
                                           arrays["weight_hh_l%d" % k], arrays["bias_ih_l%d" % k],
                                           arrays["bias_hh_l%d" % k], variant)
                keras_in, ours_in = keras_h[k], ours_h[k]
            keras_out = keras_in @ dense[0] + dense[1]
            ours_out = ours_in @ arrays["head_weight"].T + arrays["head_bias"]
            worst = max(worst, np.abs(keras_h[-1] - ours_h[-1]).max(), np.abs(keras_out - ours_out).max())
    print("largest difference between Keras' cell and gru-stream's over 50 steps, both variants: %.3g" % worst)
    assert worst < 1e-12, worst
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "go_backwards": False,
                "reset_after": False}
    assert check_config(0, defaults) is False
    assert check_config(0, {**defaults, "reset_after": True}) is True
    assert check_config(0, {key: value for key, value in defaults.items() if key != "reset_after"}) is False
    for key, value in (("recurrent_activation", "hard_sigmoid"), ("activation", "relu"), ("use_bias", False),
                       ("go_backwards", True)):
        try:
            check_config(0, {**defaults, key: value})
        except ValueError as refused:
            assert key in str(refused), refused
        else:
            raise AssertionError("a layer with %s=%r was not refused" % (key, value))
    print("layers with another activation, without biases or running backwards are refused")
    check_head_config({"activation": "linear", "use_bias": True})
    for key, value in (("activation", "relu"), ("activation", "sigmoid"), ("use_bias", False)):
        try:
            check_head_config({"activation": "linear", "use_bias": True, key: value})
        except ValueError as refused:
            assert key in str(refused) or str(value) in str(refused), refused
        else:
            raise AssertionError("a head with %s=%r was not refused" % (key, value))
    print("a head with an activation or without a bias is refused")


if __name__ == "__main__":
    _check()
