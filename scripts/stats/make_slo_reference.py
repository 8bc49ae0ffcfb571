#!/usr/bin/env python3
"""Writes test/fixtures/stats/slo-reference.json: reference values for src/slo.

Run from the repository root:  python3 scripts/stats/make_slo_reference.py
Requires numpy + scipy. Seeded, so reruns are reproducible.

1. Horvitz-Thompson totals with Poisson sampling: records with a cost y and an inclusion
   probability pi (= sample_rate). Estimated total  sum(y / pi); variance estimate
   sum((1 - pi) / pi**2 * y**2); standard error its square root. Per route and overall.
2. Month-end projection: MTD + D * mean(daily), 95% interval
   +/- t.ppf(0.975, n - 1) * sqrt(D * s**2 + D**2 * s**2 / n + var_mtd).
3. Burn rates, written from the SRE-workbook definitions independently of src/slo: weighted
   good/total events in 5-minute buckets; per window [end - L, end) the burn rate
   (bad / total) / (1 - target); the budget over the period, consumed = bad / ((1 - target) *
   total); time to exhaustion remaining * period / burn(1h); a rule fires only when the burn of
   BOTH its long and its short window is >= its factor (factor = budget share * period / long).
4. Never-fires rejection: per target, which default rules have factor * (1 - target) > 1, the
   largest factor 1 / (1 - target) and the budget share it corresponds to over the long window.
5. Projection interval coverage by simulation (iid days, weekly seasonality, AR(1), trend):
   the limits the README states.
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

# 3. Burn rates
MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR
END = 1_774_915_200_000  # 2026-03-31T00:00:00Z
RULES = [('page-fast', '1h', HOUR, '5m', 5 * MIN, 0.02), ('page-slow', '6h', 6 * HOUR, '30m', 30 * MIN, 0.05), ('ticket', '3d', 3 * DAY, '6h', 6 * HOUR, 0.10)]


def burn_case(name, target, period_days, history_days, bad_share_at):
    """Weighted events in every 5-minute bucket of the last `history_days`; bad share per bucket from `bad_share_at(minutes before END)`."""
    period = period_days * DAY
    starts = np.arange(END - history_days * DAY, END, 5 * MIN)
    rows = rng.integers(15, 40, len(starts))
    weights = rng.choice([1.0, 2.0, 4.0], len(starts))  # 1 / sample_rate of the bucket's rows
    total = rows * weights
    share = np.array([bad_share_at((END - t) // MIN) for t in starts])
    bad = np.round(total * share, 6)
    good = total - bad

    def window(L):
        m = (starts >= END - L) & (starts < END)
        t, g, n = total[m].sum(), good[m].sum(), int(rows[m].sum())
        return {'total': float(t), 'good': float(g), 'rows': n, 'burnRate': float((t - g) / t / (1 - target))}

    windows = {label: window(L) for _, long, lm, short, sm, _ in RULES for label, L in ((long, lm), (short, sm))}
    per = window(period)
    allowed = (1 - target) * per['total']
    consumed = (per['total'] - per['good']) / allowed
    rules = []
    for rname, long, lm, short, sm, share_ in RULES:
        factor = share_ * period / lm
        fires = windows[long]['burnRate'] >= factor and windows[short]['burnRate'] >= factor
        rules.append({'rule': rname, 'factor': factor, 'firing': bool(fires)})
    b1h = windows['1h']['burnRate']
    ttl = 0.0 if consumed >= 1 else None if b1h <= 0 else (1 - consumed) * period / b1h / HOUR
    return {
        'name': name, 'target': target, 'period': f'{period_days}d', 'end': END,
        'buckets': [[int(t), float(g), float(tt), int(r)] for t, g, tt, r in zip(starts, good, total, rows)],
        'windows': windows, 'budget': {'consumed': float(consumed), 'remaining': float(1 - consumed), 'total': float(per['total'])},
        'rules': rules, 'exhaustsInHours': ttl,
    }


burn = [
    # 99.9%: 2.5% bad over the last 50 minutes (25x): the 1h/5m page fires, 6h/30m does not (6h burn ~3.5x).
    burn_case('fast-burn', 0.999, 30, 4, lambda m: 0.025 if m <= 50 else 0.0002),
    # 99%: a 10x burn from 70 to 10 minutes ago, clean since: 1h burn high, 5m clean: nothing fires.
    burn_case('recovered', 0.99, 30, 4, lambda m: 0.10 if 10 < m <= 70 else 0.001),
    # 99.5% over 7 days (factors 3.36x, 1.4x, 0.233x): a steady 0.6% bad share (1.2x) fires the ticket only.
    burn_case('steady-7d', 0.995, 7, 7, lambda m: 0.006),
]

# 4. Never-fires rejection
never = []
for target in [0.8, 0.9, 0.93, 0.95, 0.99]:
    for period_days in [30, 7]:
        period = period_days * DAY
        max_factor = 1 / (1 - target)
        for rname, long, lm, short, sm, share_ in RULES:
            if lm > period:
                continue
            factor = share_ * period / lm
            never.append({'target': target, 'period': f'{period_days}d', 'rule': rname, 'factor': factor, 'rejected': bool(factor * (1 - target) > 1 + 1e-12),
                          'maxFactor': max_factor, 'maxBudgetShare': max_factor * lm / period})

# 5. Projection coverage by simulation: D future days vs n past days, 95% t interval of the mean rate.
def coverage(n, D, model, reps=4000):
    hit = 0
    for _ in range(reps):
        days = np.arange(-n, D)
        if model == 'iid':
            x = rng.normal(400, 40, len(days))
        elif model == 'weekly':  # weekends 30% lower, random weekday of the run
            off = rng.integers(0, 7)
            x = 400 * (1 - 0.3 * np.isin((days + off) % 7, [5, 6])) + rng.normal(0, 20, len(days))
        elif model == 'ar1':  # day-to-day correlation 0.6
            e = np.zeros(len(days))
            e[0] = rng.normal(0, 40)
            for i in range(1, len(days)):
                e[i] = 0.6 * e[i - 1] + rng.normal(0, 40 * np.sqrt(1 - 0.36))
            x = 400 + e
        else:  # +1% a day
            x = 400 * 1.01 ** days + rng.normal(0, 20, len(days))
        past, fut = x[:n], x[n:]
        s = past.std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * np.sqrt(D * s * s + D * D * s * s / n)
        hit += abs(fut.sum() - D * past.mean()) <= half
    return hit / reps


sim = [{'model': model, 'rateDays': n, 'daysLeft': D, 'coverage': round(float(coverage(n, D, model)), 3)}
       for model in ['iid', 'weekly', 'ar1', 'trend'] for n in (3, 7) for D in (3, 10, 25)]

with open(OUT, 'w') as f:
    # Compact: the burn cases hold a few thousand 5-minute buckets.
    json.dump({'scipy': scipy.__version__, 'records': records, 'ht': groups, 'projections': projections, 'burn': burn, 'neverFires': never, 'projectionCoverage': sim}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {OUT}')
