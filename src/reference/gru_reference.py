#!/usr/bin/env python3
"""Independent float64 reference for gru-stream's GRU forecaster, and the generator of its test vectors.

The GRU here is written from the equations of the model format (PyTorch nn.GRU for the reset-after
variant, Cho et al. 2014 / Keras reset_after=False for the reset-before one), in float64 with numpy,
sharing nothing with the Java code it checks. It writes small models in the gru-stream/model/v1
format (v2 for the direct_* cases, whose head forecasts every step at once and whose inputs include calendar
inputs it computes from event times with Python's own time-zone rules) together with raw input sequences and the
hidden states and forecasts it computes for them.

Run from the repository root (numpy only; deterministic, so a re-run with the same numpy build reproduces the same
bytes; another build may differ in the last bit of a float64, and in float32_drift by a few percent):

    python3 src/reference/gru_reference.py

The keras_* cases hold Keras-layout weights converted by keras_export.py, and their expectations come from Keras' own
equations (keras_export.keras_step), so they check the Keras path end to end.

Output: streams-app/src/test/resources/reference/<case>/ with
    model/                 model.json + float32 .npy weights, exactly as ModelLoader reads them
    inputs.npy             float64 [keys, steps, features], raw observation units
    times.npy              float64 [keys, steps], event times in epoch milliseconds (direct_* cases only)
    forecasts.npy          float64 [keys, steps, horizon, targets], normalised units
    states.npy             float64 [keys, steps / every, layers * hidden], state after steps every, 2*every, ...
    case.json              {"checkpoint_every": every, "float32_drift": ...}

float32_drift is the largest absolute difference between this float64 GRU and the same GRU evaluated in
float32 (numpy, float32 weights and arithmetic) over the case: a measured size for the rounding noise a
float32 implementation accumulates, reported so that the Java tolerance can be judged against it.
"""

import datetime
import json
import os
import shutil
import zoneinfo

import numpy as np

OUT = os.path.join("streams-app", "src", "test", "resources", "reference")
FORMAT = "gru-stream/model/v1"
FORMAT_V2 = "gru-stream/model/v2"


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_layer_step(x, h, w_ih, w_hh, b_ih, b_hh, variant):
    """One GRU step for a batch. x [B, in], h [B, H]; weights in PyTorch's layout, gate rows r, z, n."""
    hidden = h.shape[1]
    gi = x @ w_ih.T + b_ih
    r = sigmoid(gi[:, :hidden] + h @ w_hh[:hidden].T + b_hh[:hidden])
    z = sigmoid(gi[:, hidden:2 * hidden] + h @ w_hh[hidden:2 * hidden].T + b_hh[hidden:2 * hidden])
    if variant == "reset_after":
        n = np.tanh(gi[:, 2 * hidden:] + r * (h @ w_hh[2 * hidden:].T + b_hh[2 * hidden:]))
    elif variant == "reset_before":
        n = np.tanh(gi[:, 2 * hidden:] + (r * h) @ w_hh[2 * hidden:].T + b_hh[2 * hidden:])
    else:
        raise ValueError(variant)
    return (1.0 - z) * n + z * h


def calendar_inputs(times, calendar, time_zone):
    """The calendar inputs of event times[keys, steps] (epoch milliseconds): per calendar name, sin and cos of 2 pi
    times the position in its cycle, read on the local clock of time_zone (Python's own zone rules)."""
    # Java's id of UTC, which models written before 2026-12-06 hold; zoneinfo knows it only as "UTC".
    zone = zoneinfo.ZoneInfo("UTC" if time_zone == "Z" else time_zone)
    out = np.zeros(times.shape + (2 * len(calendar),))
    for index in np.ndindex(times.shape):
        local = datetime.datetime.fromtimestamp(times[index] / 1000.0, tz=zone)
        time_of_day = (local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6) / 86400.0
        for c, name in enumerate(calendar):
            if name == "time-of-day":
                position = time_of_day
            elif name == "day-of-week":
                position = (local.weekday() + time_of_day) / 7.0
            else:
                days = 366 if local.year % 4 == 0 and (local.year % 100 != 0 or local.year % 400 == 0) else 365
                position = (local.timetuple().tm_yday - 1 + time_of_day) / days
            out[index + (2 * c,)] = np.sin(2 * np.pi * position)
            out[index + (2 * c + 1,)] = np.cos(2 * np.pi * position)
    return out


def model_step(model, x, states, dtype):
    """Advances every layer once; returns the new per-layer states and the one-step forecast."""
    new_states = []
    layer_input = x
    for k in range(model["num_layers"]):
        w = [np.asarray(model[name % k], dtype=dtype)
             for name in ("weight_ih_l%d", "weight_hh_l%d", "bias_ih_l%d", "bias_hh_l%d")]
        h = gru_layer_step(layer_input, states[k], *w, model["gate_variant"])
        new_states.append(h)
        layer_input = h
    forecast = layer_input @ np.asarray(model["head_weight"], dtype).T + np.asarray(model["head_bias"], dtype)
    return new_states, forecast


def keras_model_step(model, x, states, dtype):
    """model_step from Keras' own equations, in Keras' layout (keras_export's cell), for the Keras-exported cases."""
    from keras_export import keras_step

    new_states = []
    layer_input = x
    for k, weights in enumerate(model["keras_layers"]):
        kernel, recurrent_kernel, bias = (np.asarray(w, dtype) for w in weights)
        h = keras_step(layer_input, states[k], kernel, recurrent_kernel, bias, model["gate_variant"] == "reset_after")
        new_states.append(h)
        layer_input = h
    kernel, bias = (np.asarray(w, dtype) for w in model["keras_dense"])
    return new_states, layer_input @ kernel + bias


def run(model, raw, dtype, every, step=model_step, calendar=None):
    """Runs a model over raw[keys, steps, features] (with calendar[keys, steps, 2 * names] appended to the inputs
    if given); returns forecasts and checkpointed states. A direct model's head gives every step at once."""
    keys, steps, _ = raw.shape
    hidden, layers, horizon = model["hidden_size"], model["num_layers"], model["horizon"]
    mean = np.asarray(model["mean"], dtype)
    std = np.asarray(model["std"], dtype)
    features, targets = model["features"], model["targets"]
    direct = model.get("direct", False)
    feedback = [targets.index(f) for f in features] if horizon > 1 and not direct else None
    states = [np.zeros((keys, hidden), dtype) for _ in range(layers)]
    forecasts = np.zeros((keys, steps, horizon, len(targets)), dtype)
    checkpoints = np.zeros((keys, steps // every, layers * hidden), dtype)
    for s in range(steps):
        x = (np.asarray(raw[:, s, :], dtype) - mean) / std
        if calendar is not None:
            x = np.concatenate([x, np.asarray(calendar[:, s, :], dtype)], axis=1)
        states, forecast = step(model, x, states, dtype)
        if direct:
            # Step-major: every target of step 1, then of step 2...
            forecasts[:, s, :, :] = forecast.reshape(keys, horizon, len(targets))
            if (s + 1) % every == 0:
                checkpoints[:, (s + 1) // every - 1, :] = np.concatenate(states, axis=1)
            continue
        forecasts[:, s, 0, :] = forecast
        ahead = states
        for step_ahead in range(1, horizon):
            # Forecasts fed back as the next inputs: normalised target values are the normalised features.
            ahead, forecast = step(model, forecast[:, feedback], ahead, dtype)
            forecasts[:, s, step_ahead, :] = forecast
        if (s + 1) % every == 0:
            checkpoints[:, (s + 1) // every - 1, :] = np.concatenate(states, axis=1)
    return forecasts, checkpoints


def random_model(rng, name, features, targets, hidden, layers, variant, weight_scale, horizon=1, scoring=None,
                 calendar=(), head_rows=None):
    """A model with PyTorch's default initialisation U(-k, k), k = weight_scale / sqrt(hidden)."""
    bound = weight_scale / np.sqrt(hidden)
    model = {"name": name, "features": features, "targets": targets, "hidden_size": hidden, "num_layers": layers,
             "gate_variant": variant, "horizon": horizon, "scoring": scoring}
    for k in range(layers):
        inputs = len(features) + 2 * len(calendar) if k == 0 else hidden
        model["weight_ih_l%d" % k] = rng.uniform(-bound, bound, (3 * hidden, inputs)).astype(np.float32)
        model["weight_hh_l%d" % k] = rng.uniform(-bound, bound, (3 * hidden, hidden)).astype(np.float32)
        model["bias_ih_l%d" % k] = rng.uniform(-bound, bound, 3 * hidden).astype(np.float32)
        model["bias_hh_l%d" % k] = rng.uniform(-bound, bound, 3 * hidden).astype(np.float32)
    rows = len(targets) if head_rows is None else head_rows
    model["head_weight"] = rng.uniform(-bound, bound, (rows, hidden)).astype(np.float32)
    model["head_bias"] = rng.uniform(-bound, bound, rows).astype(np.float32)
    return model


def raw_series(rng, keys, steps, features):
    """Raw observations with feature-specific levels and scales: seasonal waves, noise, rare spikes."""
    level = np.array([100.0, -3.0, 0.5, 20.0])[:features]
    scale = np.array([15.0, 0.2, 0.01, 4.0])[:features]
    t = np.arange(steps)[None, :, None]
    phase = rng.uniform(0, 2 * np.pi, (keys, 1, features))
    period = rng.uniform(20, 200, (keys, 1, features))
    wave = np.sin(2 * np.pi * t / period + phase)
    noise = 0.3 * rng.standard_normal((keys, steps, features))
    spikes = (rng.random((keys, steps, features)) < 0.01) * rng.normal(0, 4, (keys, steps, features))
    return level + scale * (wave + noise + spikes), level, scale


def write_npy(path, array, dtype):
    np.save(path, np.ascontiguousarray(np.asarray(array, dtype=np.dtype(dtype).newbyteorder("<"))))


def write_model(model, directory):
    os.makedirs(directory)
    spec = {"format": FORMAT_V2 if model.get("direct") else FORMAT, "name": model["name"], "version": "1",
            "features": model["features"],
            "targets": model["targets"], "hidden_size": model["hidden_size"], "num_layers": model["num_layers"],
            "gate_variant": model["gate_variant"],
            "normalization": {"mean": [float(v) for v in model["mean"]], "std": [float(v) for v in model["std"]]},
            "horizon": model["horizon"]}
    if model["scoring"] is not None:
        spec["scoring"] = model["scoring"]
    if model.get("direct"):
        spec["calendar"] = list(model["calendar"])
        spec["time_zone"] = model["time_zone"]
    with open(os.path.join(directory, "model.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    names = ["head_weight", "head_bias"]
    for k in range(model["num_layers"]):
        names += ["weight_ih_l%d" % k, "weight_hh_l%d" % k, "bias_ih_l%d" % k, "bias_hh_l%d" % k]
    for name in names:
        write_npy(os.path.join(directory, name + ".npy"), model[name], np.float32)


def make_case(rng, case, keys, steps, every, **model_args):
    features = model_args["features"]
    raw, level, scale = raw_series(rng, keys, steps, len(features))
    model = random_model(rng, case, **model_args)
    model["mean"], model["std"] = level, scale
    write_case(case, model, raw, every, model_step)


def make_keras_case(rng, case, keys, steps, every, features, targets, hidden, layers, reset_after):
    """A Keras GRU with a Dense head, in Keras' layout, converted by keras_export; expected from Keras' equations."""
    from keras_export import convert

    raw, level, scale = raw_series(rng, keys, steps, len(features))
    bound = 1.0 / np.sqrt(hidden)
    keras_layers = []
    for k in range(layers):
        inputs = len(features) if k == 0 else hidden
        shapes = ((inputs, 3 * hidden), (hidden, 3 * hidden), (2, 3 * hidden) if reset_after else (3 * hidden,))
        keras_layers.append(tuple(rng.uniform(-bound, bound, shape).astype(np.float32) for shape in shapes))
    dense = tuple(rng.uniform(-bound, bound, shape).astype(np.float32) for shape in ((hidden, len(targets)),
                                                                                     (len(targets),)))
    model = {"name": case, "features": features, "targets": targets, "hidden_size": hidden, "num_layers": layers,
             "gate_variant": "reset_after" if reset_after else "reset_before", "horizon": 1, "scoring": None,
             "mean": level, "std": scale, "keras_layers": keras_layers, "keras_dense": dense}
    model.update(convert(keras_layers, dense, reset_after))
    write_case(case, model, raw, every, keras_model_step)


def make_direct_case(rng, case, keys, steps, every, features, targets, hidden, layers, variant, horizon, calendar,
                     time_zone, start):
    """A format v2 model whose head forecasts every step at once, with calendar inputs read from event times five
    minutes apart from start (an ISO local date-time in time_zone)."""
    raw, level, scale = raw_series(rng, keys, steps, len(features))
    model = random_model(rng, case, features, targets, hidden, layers, variant, 1.0, horizon=horizon,
                         calendar=calendar, head_rows=horizon * len(targets))
    model.update({"mean": level, "std": scale, "direct": True, "calendar": calendar, "time_zone": time_zone})
    first = int(datetime.datetime.fromisoformat(start).replace(tzinfo=zoneinfo.ZoneInfo(time_zone)).timestamp())
    # Each key starts up to an hour later, so that the keys of one step are at different times of day.
    offsets = rng.integers(0, 12, keys) * 300
    times = (first + offsets[:, None] + 300 * np.arange(steps)[None, :]) * 1000
    write_case(case, model, raw, every, model_step, times)


def write_case(case, model, raw, every, step, times=None):
    keys, steps, _ = raw.shape
    calendar = None if times is None else calendar_inputs(times, model["calendar"], model["time_zone"])
    forecasts, states = run(model, raw, np.float64, every, step, calendar)
    forecasts32, states32 = run(model, raw, np.float32, every, step, calendar)
    drift = max(np.abs(forecasts32 - forecasts).max(), np.abs(states32 - states).max())
    directory = os.path.join(OUT, case)
    write_model(model, os.path.join(directory, "model"))
    write_npy(os.path.join(directory, "inputs.npy"), raw, np.float64)
    if times is not None:
        # Exact as float64: epoch milliseconds stay far below 2^53.
        write_npy(os.path.join(directory, "times.npy"), times, np.float64)
    write_npy(os.path.join(directory, "forecasts.npy"), forecasts, np.float64)
    write_npy(os.path.join(directory, "states.npy"), states, np.float64)
    with open(os.path.join(directory, "case.json"), "w") as f:
        json.dump({"checkpoint_every": every, "float32_drift": float(drift)}, f, indent=2)
        f.write("\n")
    print("%-26s keys=%-3d steps=%-5d float32 drift %.2e" % (case, keys, steps, drift))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    rng = np.random.default_rng(20240611)
    three, two = ["load", "latency", "errors"], ["latency", "load"]
    make_case(rng, "after_l1_h4", 1, 1000, 100, features=three, targets=two, hidden=4, layers=1,
              variant="reset_after", weight_scale=1.0)
    make_case(rng, "after_l3_h16", 8, 1000, 100, features=three, targets=two, hidden=16, layers=3,
              variant="reset_after", weight_scale=1.0, scoring={"threshold": 0.999, "warmup": 50.0})
    make_case(rng, "after_l1_h64_batch", 48, 250, 50, features=three, targets=two, hidden=64, layers=1,
              variant="reset_after", weight_scale=1.0)
    make_case(rng, "after_l1_h16_saturating", 4, 1000, 100, features=three, targets=two, hidden=16, layers=1,
              variant="reset_after", weight_scale=3.0)
    make_case(rng, "before_l1_h16", 8, 1000, 100, features=three, targets=two, hidden=16, layers=1,
              variant="reset_before", weight_scale=1.0)
    make_case(rng, "before_l3_h64", 3, 1000, 100, features=three, targets=two, hidden=64, layers=3,
              variant="reset_before", weight_scale=1.0)
    make_case(rng, "after_l2_h16_horizon3", 4, 300, 100, features=["load", "latency"], targets=["latency", "load"],
              hidden=16, layers=2, variant="reset_after", weight_scale=1.0, horizon=3)
    make_case(rng, "before_l2_h4_horizon2", 2, 300, 100, features=["load", "latency"], targets=["load", "latency"],
              hidden=4, layers=2, variant="reset_before", weight_scale=1.5, horizon=2)
    make_keras_case(rng, "keras_after_l2_h16", 4, 1000, 100, features=three, targets=two, hidden=16, layers=2,
                    reset_after=True)
    make_keras_case(rng, "keras_before_l2_h8", 4, 1000, 100, features=three, targets=two, hidden=8, layers=2,
                    reset_after=False)
    # Format v2: a direct head (step-major), calendar inputs, hidden sizes that are not multiples of 4, and a time
    # zone whose clocks go forward within the case (29 March 2026 in Paris, on the third day).
    make_direct_case(rng, "direct_after_l2_h5_calendar", 4, 1000, 100, features=["load", "latency"],
                     targets=["latency"], hidden=5, layers=2, variant="reset_after", horizon=12,
                     calendar=["time-of-day", "day-of-week"], time_zone="Europe/Paris", start="2026-03-27T00:00:00")
    make_direct_case(rng, "direct_before_l1_h6_calendar", 3, 1000, 100, features=three, targets=two, hidden=6,
                     layers=1, variant="reset_before", horizon=4, calendar=["day-of-year", "time-of-day"],
                     time_zone="UTC", start="2024-12-29T12:00:00")


if __name__ == "__main__":
    main()
