#!/usr/bin/env python3
"""Reference values for the golden-set statistics: the exact McNemar test (src/stats/mcnemar.ts)
and the paired bootstrap (src/stats/paired-bootstrap.ts).

Run from the repository root:  python3 scripts/stats/make_golden_reference.py
Requires numpy + scipy (1.17 was used). Writes test/fixtures/stats/golden-reference.json; tests read
the JSON and never run python.

- McNemar exact = scipy.stats.binomtest(b, b + c, 0.5) (what statsmodels' mcnemar(exact=True)
  computes); one-sided p-values are binomtest(..., alternative='greater' / 'less'); mid-p is
  2 * min tail - pmf(min(b, c)), capped at 1.
- Paired bootstrap = scipy.stats.bootstrap((baseline, current), mean(current - baseline),
  paired=True, method='percentile', n_resamples=20000). Our resampler draws other random numbers,
  so the test compares within Monte-Carlo tolerance, not bit for bit.
"""
import json
import os

import numpy as np
from scipy import stats

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'stats', 'golden-reference.json')
rng = np.random.default_rng(20261124)

mcnemar = []
pairs = [(0, 0), (1, 0), (0, 1), (3, 3), (5, 0), (4, 0), (7, 1), (1, 7), (10, 2), (12, 5), (30, 18),
         (60, 40), (200, 150), (1000, 1100), (2, 9), (0, 25), (25, 0), (500, 500), (3000, 2870)]
for _ in range(12):
    n = int(rng.integers(1, 400))
    b = int(rng.binomial(n, rng.uniform(0.2, 0.8)))
    pairs.append((b, n - b))
for b, c in pairs:
    n = b + c
    if n == 0:
        mcnemar.append({"b": b, "c": c, "pValue": 1.0, "pGreater": 1.0, "pLess": 1.0, "midPValue": 1.0})
        continue
    two = stats.binomtest(b, n, 0.5).pvalue
    greater = stats.binomtest(b, n, 0.5, alternative='greater').pvalue
    less = stats.binomtest(b, n, 0.5, alternative='less').pvalue
    lo = min(b, c)
    mid = min(1.0, 2 * stats.binom.cdf(lo, n, 0.5) - stats.binom.pmf(lo, n, 0.5))
    mcnemar.append({"b": b, "c": c, "pValue": float(two), "pGreater": float(greater), "pLess": float(less), "midPValue": float(mid)})

# Smallest b with a one-sided exact p <= alpha for a given c.
min_disc = []
for c in [0, 1, 2, 5, 10, 40]:
    for alpha in [0.05, 0.01]:
        b = 1
        while stats.binomtest(b, b + c, 0.5, alternative='greater').pvalue > alpha:
            b += 1
        min_disc.append({"c": c, "alpha": alpha, "b": b})

bootstrap = []


def add_boot(name, base, cur):
    base = np.round(np.asarray(base, dtype=float), 6)
    cur = np.round(np.asarray(cur, dtype=float), 6)
    res = stats.bootstrap((base, cur), lambda a, b, axis=-1: np.mean(b - a, axis=axis), paired=True,
                          vectorized=True, method='percentile', n_resamples=20000, confidence_level=0.95,
                          random_state=np.random.default_rng(1))
    d = cur - base
    bootstrap.append({"name": name, "baseline": base.tolist(), "current": cur.tolist(), "meanDiff": float(d.mean()),
                      "lower": float(res.confidence_interval.low), "upper": float(res.confidence_interval.high),
                      "se": float(res.standard_error)})


# Binary pass/fail scores of a 100-case suite at 90% with a handful of flips.
base = (rng.uniform(size=100) < 0.9).astype(float)
cur = base.copy()
cur[np.flatnonzero(base == 1)[:6]] = 0
cur[np.flatnonzero(base == 0)[:2]] = 1
add_boot("binary 100 cases, 6 down 2 up", base, cur)
# Graded scores in [0, 1].
base = rng.beta(5, 2, size=60)
cur = np.clip(base - rng.normal(0.05, 0.1, size=60), 0, 1)
add_boot("graded 60 cases, drop 0.05", base, cur)
base = rng.beta(2, 2, size=300)
cur = np.clip(base + rng.normal(0, 0.15, size=300), 0, 1)
add_boot("graded 300 cases, no change", base, cur)
base = rng.uniform(size=25)
cur = np.clip(base + 0.2 + rng.normal(0, 0.05, size=25), 0, 1)
add_boot("graded 25 cases, rise", base, cur)

with open(OUT, 'w') as f:
    json.dump({"generator": "scripts/stats/make_golden_reference.py (scipy %s)" % __import__('scipy').__version__,
               "mcnemar": mcnemar, "minDiscordant": min_disc, "bootstrap": bootstrap}, f, indent=1)
print(f"wrote {len(mcnemar)} McNemar, {len(min_disc)} min-discordant and {len(bootstrap)} bootstrap cases to {OUT}")
