#!/usr/bin/python3
"""
Calendar fixtures for corrwatch's tests, computed independently with pandas/numpy/scipy (issue 9, "Calendars").

Writes under test/fixtures/:
  eustock_head.csv     the first 300 rows of R's EuStockMarkets as exported by scripts/export-eustockmarkets.R
                       (weekdays only: a business-day labelling of the ts index from 1991-07-01)
  mixed_btc_spx.csv    a BTC-like series every calendar day and an SPX-like series on weekdays with US exchange
                       holidays missing (empty cells), generated with a fixed seed
  calendar_expected.json  what corrwatch must answer on them, from pandas: inner join on the dates, then
                       np.log(p).diff() (a return between consecutive aligned rows: Friday -> Monday is one return),
                       pairwise Pearson/Spearman with scipy's p-values, Fisher 95% CIs, n, first/last return dates.

Usage: /usr/bin/python3 scripts/make-calendar-fixtures.py   (npm run fixtures:calendar)
Needs pandas, numpy and scipy (Debian's python3-pandas/python3-scipy); runs Rscript scripts/export-eustockmarkets.R
first when data/eustockmarkets.csv does not exist.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "test", "fixtures")
EUSTOCK = os.path.join(ROOT, "data", "eustockmarkets.csv")
Z95 = 1.959963984540054  # the normal quantile corrwatch uses for 95% intervals


def iso(ts):
    """corrwatch's time format: 2023-01-03T00:00:00Z."""
    return pd.Timestamp(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def fisher_ci(r, n):
    h = Z95 / math.sqrt(n - 3)
    z = math.atanh(r)
    return [math.tanh(z - h), math.tanh(z + h)]


def pair_stats(x, y):
    n = len(x)
    p = stats.pearsonr(x, y)
    s = stats.spearmanr(x, y)
    return {
        "n": n,
        "pearson": {"rho": float(p[0]), "pValue": float(p[1]), "ci95": fisher_ci(float(p[0]), n)},
        "spearman": {"rho": float(s[0]), "pValue": float(s[1])},
    }


def outputs(closes):
    """Everything the tests compare, for one wide frame of closes (NaN = no bar)."""
    aligned = closes.dropna()  # inner join: a date is kept only when every symbol has a bar
    r = np.log(aligned).diff().dropna()  # returns between consecutive aligned bars
    symbols = list(closes.columns)
    pairs = {}
    for i, a in enumerate(symbols):
        for b in symbols[i + 1:]:
            pairs[f"{a}/{b}"] = pair_stats(r[a].to_numpy(), r[b].to_numpy())
    gaps = np.diff(aligned.index.values).astype("timedelta64[D]").astype(int)
    return {
        "symbols": symbols,
        "alignedBars": int(len(aligned)),
        "n": int(len(r)),
        # What the old rule (every gap is missing data) kept: returns between bars one day apart only.
        "nOneDaySpacing": int((gaps == 1).sum()),
        "from": iso(r.index[0]),
        "to": iso(r.index[-1]),
        "pearson": r.corr(method="pearson").to_numpy().tolist(),
        "spearman": r.corr(method="spearman").to_numpy().tolist(),
        "pairs": pairs,
    }, r


def window_outputs(r, a, b, window, at):
    """The `window` returns ending at (and including) the return dated `at`."""
    upto = r.loc[:at]
    w = upto.iloc[-window:]
    out = pair_stats(w[a].to_numpy(), w[b].to_numpy())
    out.update({"window": window, "at": iso(at), "from": iso(w.index[0]), "to": iso(w.index[-1])})
    return out


def eustock_head():
    if not os.path.exists(EUSTOCK):
        subprocess.run(["Rscript", os.path.join(ROOT, "scripts", "export-eustockmarkets.R"), EUSTOCK], check=True)
    with open(EUSTOCK) as f:
        lines = f.read().splitlines()
    path = os.path.join(FIX, "eustock_head.csv")
    with open(path, "w") as f:
        f.write("\n".join(lines[:301]) + "\n")  # header + 300 rows
    closes = pd.read_csv(path, index_col="date", parse_dates=True)
    out, r = outputs(closes)
    # A window that crosses weekends: the 60 returns ending on a Monday.
    out["window60"] = window_outputs(r, "DAX", "FTSE", 60, pd.Timestamp("1992-06-01"))
    return {"file": "eustock_head.csv", **out}


US_HOLIDAYS = [
    "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04",
    "2023-11-23", "2023-12-25", "2024-01-01", "2024-01-15",
]


def mixed_btc_spx():
    rng = np.random.default_rng(20240101)
    days = pd.date_range("2023-01-02", "2024-01-31", freq="D")
    # One common daily shock; BTC and the SPX-like index load on it (SPX's latent price moves every calendar day,
    # as news does, but is only observed on its trading days).
    common = rng.standard_normal(len(days))
    btc = 0.03 * (0.6 * common + 0.8 * rng.standard_normal(len(days)))
    spx = 0.01 * (0.6 * common + 0.8 * rng.standard_normal(len(days)))
    btc_p = 20000 * np.exp(np.cumsum(btc))
    spx_p = 3800 * np.exp(np.cumsum(spx))
    trading = (days.dayofweek < 5) & ~days.isin(pd.to_datetime(US_HOLIDAYS))
    path = os.path.join(FIX, "mixed_btc_spx.csv")
    with open(path, "w") as f:
        f.write("date,BTC,SPX\n")
        for d, b, s, t in zip(days, btc_p, spx_p, trading):
            f.write(f"{d:%Y-%m-%d},{b:.2f},{(f'{s:.2f}' if t else '')}\n")
    closes = pd.read_csv(path, index_col="date", parse_dates=True)
    out, r = outputs(closes)
    out["mondayReturns"] = int((r.index.dayofweek == 0).sum())
    out["btcDays"] = int(closes["BTC"].notna().sum())
    out["spxDays"] = int(closes["SPX"].notna().sum())
    out["window60"] = window_outputs(r, "BTC", "SPX", 60, pd.Timestamp("2023-12-26"))
    return {"file": "mixed_btc_spx.csv", "holidays": US_HOLIDAYS, **out}


def main():
    expected = {
        "about": (
            "Made by scripts/make-calendar-fixtures.py with pandas " + pd.__version__ + ", numpy " + np.__version__
            + ", scipy " + __import__("scipy").__version__ + ". Inner join on dates (DataFrame.dropna), returns "
            "np.log(p).diff() between consecutive aligned rows (Friday -> Monday is one return), Pearson and "
            "Spearman from DataFrame.corr and scipy.stats.pearsonr/spearmanr (two-sided p-values), Fisher 95% CI "
            "with z = 1.959963984540054. Times are the open times of the bars the returns end at."
        ),
        "eustock_head": eustock_head(),
        "mixed_btc_spx": mixed_btc_spx(),
    }
    with open(os.path.join(FIX, "calendar_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for k in ("eustock_head", "mixed_btc_spx"):
        e = expected[k]
        print(f"{k}: {e['alignedBars']} aligned bars, n = {e['n']} returns ({e['nOneDaySpacing']} one day apart)", file=sys.stderr)


if __name__ == "__main__":
    main()
