#!/usr/bin/env python3
"""Fits the rational erf approximation the encoder's GELU uses (BERTEncoder.gelu):
erf(z) ~= z * P(z*z) / Q(z*z) for |z| <= 3.92 (erf is 1 in float32 beyond), P and Q of degree 5,
Q(0) = 1, by iteratively reweighted linear least squares; prints the float32 coefficients and the
largest error over [-5, 5] when evaluated in float32 with z clamped, as the Swift code does.
Run: /tmp/embref-venv/bin/python scripts/reference/fit_erf.py   (needs numpy)
"""
import math

import numpy as np

LIMIT = 3.92
DEGREE = 5


def main():
    erf = np.vectorize(math.erf)
    z = np.concatenate([np.cos(np.linspace(0, np.pi / 2, 20000)) * LIMIT, np.linspace(1e-6, LIMIT, 20000)])
    s = z * z
    f = erf(z) / z
    weights = np.ones_like(s)
    for _ in range(8):
        columns = [s ** k for k in range(DEGREE + 1)] + [-f * s ** k for k in range(1, DEGREE + 1)]
        matrix = np.stack(columns, 1)
        coefficients, *_ = np.linalg.lstsq(matrix * weights[:, None], f * weights, rcond=None)
        p = coefficients[:DEGREE + 1]
        q = np.concatenate([[1.0], coefficients[DEGREE + 1:]])
        weights = 1 / np.abs(np.polyval(q[::-1], s))
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    x = np.linspace(-5, 5, 200001)
    zc = np.clip(x, -LIMIT, LIMIT).astype(np.float32)
    sc = zc * zc
    numerator = np.zeros_like(sc)
    denominator = np.zeros_like(sc)
    for k in reversed(range(DEGREE + 1)):
        numerator = numerator * sc + p32[k]
        denominator = denominator * sc + q32[k]
    error = np.max(np.abs(zc * numerator / denominator - erf(x)))
    print("P (constant first):", ["%.9e" % v for v in p32])
    print("Q (constant first):", ["%.9e" % v for v in q32])
    print(f"max |error| on [-5, 5]: {error:.2e}; min Q: {denominator.min():.3f}")


if __name__ == "__main__":
    main()
