#!/usr/bin/env python3
"""Derives the rational tanh approximation used by gru-stream's pure-Java GRU kernels.

Why: Math.tanh and Math.exp cost 7-30 ns a call on the JVM and are never vectorised, which would make the
activations of one GRU step cost more than its matrix products. A rational function x * P(x^2) / Q(x^2)
needs only +, *, / and min/max, which C2 vectorises and which Java evaluates bit-identically on every
platform and in every JIT tier.

Method: tanh(x) ~ x * P(x^2) / Q(x^2) on [0, C] with deg P = deg Q = 4 and Q(0) = 1; linearised weighted
least squares with Lawson reweighting towards the minimax relative error, then a Nelder-Mead polish of the
maximum relative error. Inputs are clamped to [-C, C], C = 9, where float32(tanh) is within one ulp of 1.

Then it evaluates the float32 formula exactly as the Java code does (numpy float32 operations are IEEE
round-to-nearest like Java's) and reports its worst error against float64 tanh over a dense sample.

    python3 src/reference/fit_tanh.py
"""

import numpy as np
from scipy.optimize import minimize

C = 9.0
DEGREE = 4


def relative_error(coef, xs, t):
    u = xs * xs
    p = coef[:DEGREE + 1]
    q = np.concatenate([[1.0], coef[DEGREE + 1:]])
    return (xs * np.polyval(p[::-1], u) / np.polyval(q[::-1], u) - t) / t


def weighted_fit(xs, t, weights):
    u = xs * xs
    columns = np.hstack([xs[:, None] * u[:, None] ** np.arange(DEGREE + 1),
                         -(t[:, None] * u[:, None] ** np.arange(1, DEGREE + 1))])
    coef, *_ = np.linalg.lstsq(columns * weights[:, None], t * weights, rcond=None)
    return coef


def fit():
    xs = np.concatenate([np.linspace(0, C, 40001)[1:], np.geomspace(1e-5, 1.0, 2000)])
    xs.sort()
    t = np.tanh(xs)
    coef = weighted_fit(xs, t, 1 / t)
    for _ in range(40):
        q = np.polyval(np.concatenate([[1.0], coef[DEGREE + 1:]])[::-1], xs * xs)
        lawson = np.ones_like(xs)
        for _ in range(30):
            candidate = weighted_fit(xs, t, np.sqrt(lawson) / (t * q))
            e = np.abs(relative_error(candidate, xs, t))
            lawson = lawson * e / e.max() + 1e-300
            lawson /= lawson.mean()
        coef = candidate
    polished = minimize(lambda c: np.abs(relative_error(c, xs, t)).max() * 1e8, coef, method="Nelder-Mead",
                        options={"maxiter": 40000, "xatol": 1e-14, "fatol": 1e-6})
    return polished.x, np.abs(relative_error(polished.x, xs, t)).max()


def tanh_float32(x, p, q):
    """The Java formula, operation by operation, in float32."""
    one = np.float32(1)
    c = np.minimum(np.float32(C), np.maximum(np.float32(-C), x))
    x2 = c * c
    num = p[4]
    for k in (3, 2, 1, 0):
        num = num * x2 + p[k]
    num = num * c
    den = q[4]
    for k in (3, 2, 1):
        den = den * x2 + q[k]
    den = den * x2 + one
    return num / den


def main():
    coef, fit_error = fit()
    p = coef[:DEGREE + 1].astype(np.float32)
    q = np.concatenate([[1.0], coef[DEGREE + 1:]]).astype(np.float32)
    rng = np.random.default_rng(0)
    sample = np.concatenate([rng.uniform(0, 12, 5_000_000), np.geomspace(1e-30, 1, 1_000_000),
                             np.linspace(0, 12, 5_000_001)]).astype(np.float32)
    got = tanh_float32(sample, p, q).astype(np.float64)
    exact = np.tanh(sample.astype(np.float64))
    ulp = np.spacing(np.abs(exact.astype(np.float32))).astype(np.float64)
    print("float64 fit, max relative error: %.3e" % fit_error)
    print("float32 evaluation: max abs error %.3e, max relative error %.3e, max %.1f ulp"
          % (np.abs(got - exact).max(), (np.abs(got - exact) / np.maximum(exact, 1e-38)).max(),
             (np.abs(got - exact.astype(np.float32)) / ulp).max()))
    for name, values in (("P", p), ("Q", q)):
        for k, v in enumerate(values):
            print("%s%d = %sf" % (name, k, np.format_float_positional(v, unique=True, trim="0") if v >= 1e-4
                                  else np.format_float_scientific(v, unique=True)))


if __name__ == "__main__":
    main()
