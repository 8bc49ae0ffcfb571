#!/usr/bin/env python3
"""Reference values for the statistics drift added for detection power (issue 3):
the Mann-Whitney U test (src/stats/mann-whitney.ts) against
scipy.stats.mannwhitneyu(method='asymptotic'), exact binomial power and normal power (src/stats/power.ts) against
scipy.stats.binom / norm, and the Patnaik approximation of the noncentral chi-square power
against scipy.stats.ncx2 (an approximation: the test allows 0.02 absolute).

Run:  python3 scripts/stats/make_drift_reference.py
Writes test/fixtures/stats/drift-reference.json. Tests read the JSON; they never run python.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261124)
out = {"mannWhitney": [], "binomialPower": [], "normalPower": [], "chiSquarePower": []}


def mwu(name, x, y, alternative="two-sided", use_continuity=True):
    r = stats.mannwhitneyu(x, y, alternative=alternative, use_continuity=use_continuity, method="asymptotic")
    out["mannWhitney"].append({"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y], "alternative": alternative,
                               "continuity": use_continuity, "statistic": float(r.statistic), "pValue": float(r.pvalue)})


mwu("textbook (scipy docs)", [19, 22, 16, 29, 24], [20, 11, 17, 12])
mwu("tiny", [1.1, 2.3, 2.9, 4.2], [3.4, 4.9, 5.1, 6.0, 6.2])
mwu("one each", [1.0], [2.0])
mwu("all tied", [3.0, 3.0, 3.0], [3.0, 3.0])
mwu("complete separation", list(range(10, 20)), list(range(0, 10)))
mwu("without continuity", [1.1, 2.3, 2.9, 4.2], [3.4, 4.9, 5.1, 6.0, 6.2], use_continuity=False)
mwu("ties and integers", [3, 3, 3, 4, 4, 5, 5, 5, 5, 9], [2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6])
mwu("one-sided greater", list(rng.normal(0.4, 1.0, 30)), list(rng.normal(0.0, 1.0, 40)), "greater")
mwu("one-sided less", list(rng.normal(0.4, 1.0, 30)), list(rng.normal(0.0, 1.0, 40)), "less")
mwu("point mass at zero (error calls)", [0.0] * 3 + list(rng.normal(4.2, 0.2, 60)), [0.0] * 40 + list(rng.normal(4.2, 0.2, 3000)))
for i in range(16):
    n = int(rng.integers(3, 400))
    m = int(rng.integers(3, 1500))
    shift = float(rng.choice([0.0, 0.05, 0.2, 0.6]))
    x = rng.lognormal(5 + shift, 0.45, n)
    y = rng.lognormal(5, 0.45, m)
    # Rounded to integers (token counts): ties, as in real features.
    mwu(f"seeded lognormal counts {i} n={n} m={m} shift={shift}", list(np.round(x)), list(np.round(y)))


def binom_power(n, p0, p1, level):
    k = np.arange(0, n + 2)
    if p1 > p0:
        ok = k[(k <= n) & (stats.binom.sf(k - 1, n, p0) <= level)]
        if len(ok) == 0:
            return None, 0.0
        c = int(ok.min())
        return c, float(stats.binom.sf(c - 1, n, p1))
    ok = k[(k <= n) & (stats.binom.cdf(k, n, p0) <= level)]
    if len(ok) == 0:
        return None, 0.0
    c = int(ok.max())
    return c, float(stats.binom.cdf(c, n, p1))


for (n, p0, p1, level) in [(200, 0.01, 0.03, 0.001), (32, 0.03, 0.15, 1e-4), (64, 0.03, 0.15, 1e-4), (145, 0.009, 0.027, 3e-5),
                           (700, 0.015, 0.045, 3e-5), (5, 0.5, 0.9, 0.05), (1000, 0.97, 0.85, 1e-4), (50, 0.2, 0.05, 0.01),
                           (10, 0.001, 0.5, 0.01), (3, 0.1, 0.2, 1e-6), (4000, 0.002, 0.004, 1e-5)]:
    c, pw = binom_power(n, p0, p1, level)
    out["binomialPower"].append({"n": n, "p0": p0, "p1": p1, "level": level, "critical": c, "power": pw})

for (lam, level) in [(0.0, 0.05), (1.0, 0.05), (3.0, 0.05), (4.2, 3.3e-5), (-2.5, 0.01), (8.0, 1e-6)]:
    z = stats.norm.isf(level / 2)
    out["normalPower"].append({"lambda": lam, "level": level, "power": float(stats.norm.cdf(abs(lam) - z) + stats.norm.cdf(-abs(lam) - z))})

for (lam, df, level) in [(20.0, 3, 0.01), (5.0, 1, 0.05), (40.0, 5, 1e-4), (12.0, 2, 1e-3), (0.5, 4, 0.01), (100.0, 8, 3e-5)]:
    out["chiSquarePower"].append({"lambda": lam, "df": df, "level": level, "power": float(stats.ncx2.sf(stats.chi2.isf(level, df), df, lam))})

path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "stats", "drift-reference.json")
with open(path, "w") as f:
    json.dump({"generator": "scripts/stats/make_drift_reference.py", "scipy": scipy.__version__, **out}, f)
    f.write("\n")
print(f"wrote {path}")
