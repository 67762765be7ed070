#!/usr/bin/env python3
"""How well a linear forecaster of the learner's kind could do on the NAB series with hindsight (docs/accuracy.md).

Not a forecaster: for each series it fits, on the whole series at once, the next value's change from the current one
on a constant, the last LAGS changes, and the time-of-day profile's departure from the current value and its change
over the step, the profile being each 15-minute bin's median over the whole series (UTC). The one-step MASE against
persistence of that fit is what such inputs give when every weight and the profile are known in advance, which no
causal learner knows. Fits by least squares (ls), by Huber's weights at twice the mean absolute error (huber-2, the
learner's rule) and by least absolute deviations (lad, iteratively reweighted), each with 1 and 6 lags (column /1, /6).

    python3 src/eval/hindsight.py [DATA_DIR]      # DATA_DIR: src/data/nab by default; needs NumPy

Prints each series' MASE per fit and the medians over the series that move.
"""
import csv
import datetime
import pathlib
import sys

import numpy as np

BINS_PER_DAY = 96
FITS = ("ls", "huber-2", "lad")


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    values = np.array([float(r["value"]) for r in rows])
    times = [datetime.datetime.fromisoformat(r["timestamp"]) for r in rows]
    minutes = np.array([t.hour * 60 + t.minute for t in times])
    return values, minutes * BINS_PER_DAY // 1440


def design(values, bins, lags):
    profile = np.zeros(BINS_PER_DAY)
    for b in np.unique(bins):
        profile[b] = np.median(values[bins == b])
    changes = np.diff(values)
    t = np.arange(lags, len(values) - 1)
    columns = [np.ones(len(t))]
    columns += [changes[t - 1 - i] for i in range(lags)]
    columns += [profile[bins[t + 1]] - values[t], profile[bins[t + 1]] - profile[bins[t]]]
    return np.column_stack(columns), changes[t]


def fit(inputs, targets, kind):
    weights = np.ones(len(targets))
    floor = 1e-9 * max(np.mean(np.abs(targets)), 1e-300)
    for _ in range(1 if kind == "ls" else 30):
        root = np.sqrt(weights)
        beta = np.linalg.lstsq(inputs * root[:, None], targets * root, rcond=None)[0]
        errors = np.abs(targets - inputs @ beta)
        if kind == "huber-2":
            limit = 2 * np.mean(errors)
            weights = np.minimum(1.0, limit / np.maximum(errors, floor))
        elif kind == "lad":
            weights = 1.0 / np.maximum(errors, floor)
    return np.mean(np.abs(targets - inputs @ beta)) / np.mean(np.abs(targets))


def main():
    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src/data/nab")
    header = [f"{kind}/{lags}" for lags in (1, 6) for kind in FITS]
    print("series".ljust(56) + "".join(h.rjust(11) for h in header))
    table = []
    for path in sorted(data.glob("*/*.csv")):
        values, bins = read(path)
        if not np.any(np.diff(values)):
            continue
        line = []
        for lags in (1, 6):
            inputs, targets = design(values, bins, lags)
            line += [fit(inputs, targets, kind) for kind in FITS]
        table.append(line)
        name = f"{path.parent.name}/{path.name}"
        print(name.ljust(56) + "".join(f"{v:11.3f}" for v in line))
    print("median".ljust(56) + "".join(f"{v:11.3f}" for v in np.median(np.array(table), axis=0)))


if __name__ == "__main__":
    main()
