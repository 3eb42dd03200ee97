#!/usr/bin/python3
"""
Forecast fixtures for corrwatch's tests, computed independently with numpy/scipy (issue 12, "Forecasts").

Writes test/fixtures/forecast_expected.json:
  garch   a GARCH(1,1) series (numpy seed 12, T = 800, omega = 2e-6, alpha = 0.1, beta = 0.85, Gaussian shocks) and
          its Gaussian QML fit with variance targeting, mean zero: omega = s2 * (1 - alpha - beta), s2 = mean(r^2),
          h_0 = s2, maximized by scipy (L-BFGS-B over alpha, beta with alpha + beta <= 1 - 1e-4 enforced through
          persistence/share box coordinates, then polished by Nelder-Mead); the log-likelihood
          -1/2 * sum(ln 2pi + ln h_t + r_t^2 / h_t), and the log-likelihood at a second, fixed parameter point.
  dcc     standardized residuals of a DCC(1,1) (numpy seed 34, N = 3, T = 600, a = 0.06, b = 0.88), the correlation
          log-likelihood of Engle (2002) eq. 26 with Qbar = eps' eps / T and Q_0 = Qbar, evaluated with numpy's
          slogdet and solve at two fixed points, and its maximum over (a, b) by scipy.

Usage: python3 scripts/make-forecast-fixtures.py   (needs numpy and scipy)
"""
import json
import math
import os

import numpy as np
from scipy import optimize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "forecast_expected.json")
MAXPHI = 1 - 1e-4


def garch_loglik(r, alpha, beta):
    s2 = np.mean(r * r)
    omega = s2 * (1 - alpha - beta)
    h = np.empty(len(r))
    h[0] = s2
    for t in range(1, len(r)):
        h[t] = omega + alpha * r[t - 1] ** 2 + beta * h[t - 1]
    return -0.5 * np.sum(math.log(2 * math.pi) + np.log(h) + r * r / h)


def fit_garch(r):
    def neg(x):
        phi, share = x
        return -garch_loglik(r, phi * share, phi * (1 - share)) / len(r)

    best = None
    for phi in (0.5, 0.8, 0.9, 0.95, 0.98):
        for share in (0.05, 0.1, 0.2):
            res = optimize.minimize(neg, [phi, share], method="L-BFGS-B", bounds=[(0, MAXPHI), (0, 1)])
            if best is None or res.fun < best.fun:
                best = res
    res = optimize.minimize(neg, best.x, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    x = res.x if res.fun <= best.fun else best.x
    phi, share = min(max(x[0], 0), MAXPHI), min(max(x[1], 0), 1)
    return phi * share, phi * (1 - share)


def dcc_loglik(eps, a, b):
    T, N = eps.shape
    qbar = eps.T @ eps / T
    q = qbar.copy()
    s = 0.0
    for t in range(T):
        d = 1 / np.sqrt(np.diag(q))
        R = q * np.outer(d, d)
        sign, logdet = np.linalg.slogdet(R)
        if sign <= 0:
            return -np.inf
        e = eps[t]
        s += logdet + e @ np.linalg.solve(R, e) - e @ e
        q = (1 - a - b) * qbar + a * np.outer(e, e) + b * q
    return -0.5 * s


def main():
    rng = np.random.default_rng(12)
    T, omega, alpha, beta = 800, 2e-6, 0.1, 0.85
    h = omega / (1 - alpha - beta)
    r = np.empty(T + 300)
    for t in range(T + 300):
        r[t] = math.sqrt(h) * rng.standard_normal()
        h = omega + alpha * r[t] ** 2 + beta * h
    r = r[300:]
    ga, gb = fit_garch(r)

    rng = np.random.default_rng(34)
    N, T, a, b = 3, 600, 0.06, 0.88
    qbar = np.array([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]])
    q = qbar.copy()
    eps = np.empty((T + 300, N))
    for t in range(T + 300):
        d = 1 / np.sqrt(np.diag(q))
        R = q * np.outer(d, d)
        e = np.linalg.cholesky(R) @ rng.standard_normal(N)
        eps[t] = e
        q = (1 - a - b) * qbar + a * np.outer(e, e) + b * q
    eps = eps[300:]

    def neg(x):
        phi, share = x
        v = dcc_loglik(eps, phi * share, phi * (1 - share))
        return -v / (T * N) if np.isfinite(v) else 1e10

    best = None
    for phi in (0.8, 0.9, 0.95, 0.98):
        for share in (0.03, 0.06, 0.12):
            res = optimize.minimize(neg, [phi, share], method="L-BFGS-B", bounds=[(0, MAXPHI), (0, 1)])
            if best is None or res.fun < best.fun:
                best = res
    res = optimize.minimize(neg, best.x, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    x = res.x if res.fun <= best.fun else best.x
    phi, share = min(max(x[0], 0), MAXPHI), min(max(x[1], 0), 1)
    da, db = phi * share, phi * (1 - share)

    out = {
        "garch": {
            "r": r.tolist(),
            "fit": {"alpha": ga, "beta": gb, "omega": float(np.mean(r * r)) * (1 - ga - gb), "logLik": garch_loglik(r, ga, gb)},
            "at": {"alpha": 0.05, "beta": 0.9, "logLik": garch_loglik(r, 0.05, 0.9)},
        },
        "dcc": {
            "eps": eps.T.tolist(),
            "at": [
                {"a": 0.05, "b": 0.9, "logLik": dcc_loglik(eps, 0.05, 0.9)},
                {"a": 0.2, "b": 0.5, "logLik": dcc_loglik(eps, 0.2, 0.5)},
            ],
            "fit": {"a": da, "b": db, "logLik": dcc_loglik(eps, da, db)},
        },
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: garch alpha {ga:.5f} beta {gb:.5f}; dcc a {da:.5f} b {db:.5f}")


if __name__ == "__main__":
    main()
