#!/usr/bin/env python3
"""Writes test/fixtures/stats/slo-reference.json: reference values for src/slo.

Run from the repository root:  python3 scripts/stats/make_slo_reference.py
Requires numpy + scipy. Seeded, so reruns are reproducible.

1. Horvitz-Thompson totals with Poisson sampling: records with a cost y and an inclusion
   probability pi (= sample_rate). Estimated total  sum(y / pi); variance estimate
   sum((1 - pi) / pi**2 * y**2); standard error its square root. Per route and overall.
2. Month-end projection: MTD + D * mean(daily), 95% interval
   +/- t.ppf(0.975, n - 1) * sqrt(D * s**2 + D**2 * s**2 / n + var_mtd).
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'stats', 'slo-reference.json')
rng = np.random.default_rng(20261123)

# 1. HT totals
n = 400
routes = np.array(['answer', 'chat', 'summarize'])[rng.integers(0, 3, n)]
cost = np.round(rng.lognormal(np.log(0.004), 0.8, n), 8)
rates = np.array([1.0, 0.5, 0.25, 0.1])[rng.integers(0, 4, n)]
records = [
    {'request_id': f'r{i}', 'route': str(routes[i]), 'cost_usd': float(cost[i]), 'sample_rate': float(rates[i])}
    for i in range(n)
]


def ht(mask):
    y = cost[mask]
    p = rates[mask]
    total = float(np.sum(y / p))
    var = float(np.sum((1 - p) / p**2 * y**2))
    return {'usd': total, 'se': float(np.sqrt(var)), 'requests': float(np.sum(1 / p))}


groups = {r: ht(routes == r) for r in ['answer', 'chat', 'summarize']}
groups['*'] = ht(np.ones(n, dtype=bool))

# 2. Projection
projections = []
for case in range(4):
    days = int(rng.integers(2, 8))
    daily = np.round(rng.normal(400, 40, days), 4)
    mtd = float(np.round(rng.uniform(1000, 9000), 4))
    var_mtd = float(np.round(rng.uniform(0, 500), 4))
    D = float(rng.integers(24, 600)) / 24
    m = float(np.mean(daily))
    s = float(np.std(daily, ddof=1))
    half = float(stats.t.ppf(0.975, days - 1) * np.sqrt(D * s * s + D * D * s * s / days + var_mtd))
    point = mtd + D * m
    projections.append({'daily': daily.tolist(), 'mtd': mtd, 'varMtd': var_mtd, 'daysLeft': D, 'usd': point, 'low': max(mtd, point - half), 'high': point + half})

with open(OUT, 'w') as f:
    json.dump({'scipy': scipy.__version__, 'records': records, 'ht': groups, 'projections': projections}, f, indent=1)
    f.write('\n')
print(f'wrote {OUT}')
