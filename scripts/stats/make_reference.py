#!/usr/bin/env python3
"""Writes test/fixtures/stats/reference.json: scipy reference values for src/stats.

Run from the repository root:  python3 scripts/stats/make_reference.py
Requires numpy + scipy (1.17 was used). Seeded (numpy default_rng), so reruns are
reproducible. Every sample array is rounded to 6 significant digits *before* it
is handed to scipy, and that rounded array is what is stored, so the TypeScript
side and scipy see bit-identical input.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'stats', 'reference.json')
rng = np.random.default_rng(20240611)


def r6(a):
    a = np.asarray(a, dtype=np.float64)
    return np.array([float(f'{v:.6g}') for v in a], dtype=np.float64)


def num(v):
    v = float(v)
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    if math.isnan(v):
        return 'NaN'
    return v


ks_cases = []


def ks_case(name, x, y, alternative='two-sided', method='auto', store=True):
    x = r6(x)
    y = r6(y)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        res = stats.ks_2samp(x, y, alternative=alternative, method=method)
    switched = any('Switching' in str(m.message) for m in w)
    # scipy does not report the method it used; reconstruct it the way ks_2samp decides
    n1, n2 = len(x), len(y)
    if method == 'auto':
        used = 'exact' if max(n1, n2) <= 10000 else 'asymp'
    else:
        used = method
    if switched:
        used = 'asymp'
    ks_cases.append({
        'name': name,
        'x': [num(v) for v in x],
        'y': [num(v) for v in y],
        'alternative': alternative,
        'method': method,
        'statistic': num(res.statistic),
        'pValue': num(res.pvalue),
        'statisticLocation': num(res.statistic_location),
        'statisticSign': int(res.statistic_sign),
        'methodUsed': used,
        'warned': switched,
    })


N = rng.normal
U = rng.uniform
I = rng.integers

# tiny samples
ks_case('tiny 1 vs 1', [0.5], [1.5])
ks_case('tiny 1 vs 1 equal', [0.5], [0.5])
ks_case('tiny 1 vs 2', [0.1], [0.3, -0.2])
ks_case('tiny 2 vs 3', N(size=2), N(size=3))
ks_case('tiny 3 vs 5', N(size=3), N(1, 1, size=5))
ks_case('tiny 5 vs 5', N(size=5), N(0.5, 1, size=5))
ks_case('tiny 4 vs 1', N(size=4), [0.0])
ks_case('tiny 5 vs 2 less', N(size=5), N(size=2), 'less')
ks_case('tiny 3 vs 3 greater', N(size=3), N(2, 1, size=3), 'greater')
# ties
ks_case('ties int 20 vs 30', I(0, 5, size=20), I(0, 6, size=30))
ks_case('ties int 100 vs 100', I(0, 4, size=100), I(0, 4, size=100))
ks_case('ties rounded 50 vs 80', np.round(N(size=50), 1), np.round(N(0.3, 1, size=80), 1))
ks_case('ties int 500 vs 700 less', I(0, 10, size=500), I(0, 10, size=700), 'less')
ks_case('ties int 400 vs 400 greater', I(0, 8, size=400), I(1, 9, size=400), 'greater')
# identical / separated
same = N(size=50)
ks_case('identical 50', same, same)
ks_case('identical 3000 vs 3000', np.tile(I(0, 3, size=1000), 3), np.tile(I(0, 3, size=1000), 3)[::-1])
ks_case('separated 10 vs 10', U(0, 1, size=10), U(2, 3, size=10))
ks_case('separated 30 vs 40', U(2, 3, size=30), U(0, 1, size=40))
ks_case('separated 100 vs 100 less', U(0, 1, size=100), U(2, 3, size=100), 'less')
ks_case('separated 100 vs 100 greater', U(0, 1, size=100), U(2, 3, size=100), 'greater')
# unequal sizes (exact)
ks_case('unequal 100 vs 37', N(size=100), N(0.4, 1, size=37))
ks_case('unequal 1000 vs 999', N(size=1000), N(0.05, 1, size=999))
ks_case('unequal 2000 vs 3000', N(size=2000), N(0.08, 1.1, size=3000))
ks_case('unequal 5000 vs 7', N(size=5000), N(0.5, 1, size=7))
ks_case('unequal 640 vs 480 (gcd 160)', N(size=640), N(0.1, 1, size=480))
ks_case('unequal 9973 vs 101', N(size=9973), N(0.2, 1, size=101))
# one-sided exact regime
ks_case('less exact 50 vs 50', N(size=50), N(0.3, 1, size=50), 'less')
ks_case('greater exact 50 vs 50', N(size=50), N(0.3, 1, size=50), 'greater')
ks_case('less exact 40 vs 60', N(size=40), N(0.3, 1, size=60), 'less')
ks_case('greater exact 40 vs 60', N(size=40), N(-0.3, 1, size=60), 'greater')
ks_case('greater exact 300 vs 200', N(size=300), N(-0.1, 1, size=200), 'greater')
ks_case('less exact 120 vs 90', N(size=120), N(0.2, 1, size=90), 'less')
ks_case('less exact->asymp fallback 800 vs 600', N(size=800), N(-0.3, 1, size=600), 'less')
ks_case('greater exact 520 vs 505 (near binom overflow)', N(size=520), N(0.15, 1, size=505), 'greater')
ks_case('less exact 9000 vs 7000 -> asymp fallback', N(size=9000), N(-0.03, 1, size=7000), 'less')
ks_case('greater exact 150 vs 250', N(size=150), N(-0.2, 1, size=250), 'greater')
ks_case('less exact 70 vs 30', N(size=70), N(-0.4, 1, size=30), 'less')
ks_case('greater exact 10000 vs 10000', N(size=10000), N(-0.02, 1, size=10000), 'greater')
# boundary of auto
bx = N(size=10001)
by = N(0.03, 1, size=10001)
ks_case('boundary 10000 vs 10000', bx[:10000], by[:10000])
ks_case('boundary 10000 vs 10001', bx[:10000], by)
ks_case('boundary 10001 vs 10001', bx, by)
ks_case('boundary 9999 vs 10000', bx[:9999], by[:10000])
# one-sided asymp
ks_case('less asymp 20000 vs 15000', N(size=20000), N(0.02, 1, size=15000), 'less')
ks_case('greater asymp 15000 vs 20000', N(size=15000), N(-0.01, 1, size=20000), 'greater')
# forced methods
ks_case('forced exact 12000 vs 12000', N(size=12000), N(0.03, 1, size=12000), method='exact')
ks_case('forced exact 11000 vs 3000', N(size=11000), N(0.05, 1, size=3000), method='exact')
ks_case('forced asymp 30 vs 40', N(size=30), N(0.5, 1, size=40), method='asymp')
ks_case('forced asymp 100 vs 100', N(size=100), N(0.3, 1, size=100), method='asymp')
ks_case('forced asymp 200 vs 300 small D', N(size=200), N(0, 1, size=300), method='asymp')
ks_case('forced asymp 500 vs 500 big D', N(size=500), N(1, 1, size=500), method='asymp')
ks_case('forced asymp 60 vs 70 less', N(size=60), N(0.5, 1, size=70), 'less', method='asymp')
ks_case('forced asymp 2000 vs 2000 greater', N(size=2000), N(-0.05, 1, size=2000), 'greater', method='asymp')
ks_case('forced asymp 8 vs 9', N(size=8), N(1.0, 1, size=9), method='asymp')
ks_case('forced asymp 5 vs 5', N(size=5), N(1.0, 1, size=5), method='asymp')
# large
ks_case('large 50k vs 50k', N(size=50000), N(0.01, 1, size=50000))
ks_case('large 30k vs 20k shifted', N(size=30000), N(0.05, 1, size=20000))

# randomised small/medium cases: sizes, ties, alternatives and methods drawn at random
for k in range(120):
    n1 = int(I(1, 300)) if k % 3 else int(I(1, 12))
    n2 = int(I(1, 300)) if k % 4 else int(I(1, 12))
    shift = float(rng.choice([0.0, 0.2, 0.5, -0.3]))
    a = N(size=n1)
    b = N(shift, 1, size=n2)
    if k % 5 == 0:
        a, b = np.round(a), np.round(b)
    alt = ['two-sided', 'less', 'greater'][k % 3]
    meth = ['auto', 'auto', 'exact', 'asymp'][k % 4]
    ks_case(f'fuzz {k} {n1}x{n2}', a, b, alt, meth)

# direct checks of the kstwo (two-sided one-sample KS) survival function across regimes
kstwo_cases = []
for n, x in [(1, 0.3), (1, 0.8), (5, 0.05), (5, 0.15), (5, 0.3), (5, 0.55), (5, 0.9), (10, 0.2), (10, 0.4),
             (50, 0.1), (50, 0.2), (50, 0.35), (50, 0.6), (100, 0.05), (100, 0.12), (100, 0.25),
             (140, 0.02), (140, 0.1), (140, 0.3), (141, 0.1), (141, 0.2), (300, 0.0035), (300, 0.05),
             (300, 0.1), (300, 0.3), (1000, 0.01), (1000, 0.04), (1000, 0.1), (5000, 0.004),
             (5000, 0.01), (5000, 0.03), (5000, 0.08), (50000, 0.003), (50000, 0.008), (50000, 0.02),
             (120000, 0.002), (120000, 0.005), (500000, 0.0005), (500000, 0.0015), (500000, 0.003),
             (500000, 0.006), (2000000, 0.001), (2000000, 0.002), (300, 0.9), (300, 0.997)]:
    kstwo_cases.append({'n': n, 'x': x, 'sf': num(stats.kstwo.sf(x, n))})

fisher_cases = []
for table in [[[8, 2], [1, 5]], [[1, 9], [11, 3]], [[5, 5], [5, 5]], [[3, 7], [7, 3]], [[0, 5], [0, 7]],
              [[0, 10], [3, 4]], [[12, 0], [0, 15]], [[100, 250], [120, 200]], [[1000, 2000], [1500, 1800]],
              [[2, 30], [9, 25]], [[6, 1], [0, 4]], [[20, 15], [15, 20]], [[40, 60], [60, 40]],
              [[7, 12], [0, 0]], [[1, 1000], [10, 990]], [[4, 4], [3, 9]], [[50, 50], [48, 52]]]:
    for alt in ['two-sided', 'less', 'greater']:
        r = stats.fisher_exact(table, alternative=alt)
        fisher_cases.append({'table': table, 'alternative': alt, 'pValue': num(r.pvalue), 'oddsRatio': num(r.statistic)})

chi_cases = []


def chi_case(a, b):
    keys = sorted(set(a) | set(b))
    keys = [k for k in keys if a.get(k, 0) + b.get(k, 0) > 0]
    table = np.array([[a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]], dtype=float)
    c = stats.chi2_contingency(table, correction=False)
    g = stats.chi2_contingency(table, correction=False, lambda_='log-likelihood')
    chi_cases.append({'a': a, 'b': b, 'chi2': num(c.statistic), 'dof': int(c.dof), 'pValue': num(c.pvalue),
                      'g': num(g.statistic), 'gPValue': num(g.pvalue)})


chi_case({'x': 10, 'y': 20, 'z': 30}, {'x': 12, 'y': 18, 'z': 35})
chi_case({'ok': 950, 'refusal': 30, 'error': 20}, {'ok': 900, 'refusal': 70, 'error': 30})
chi_case({'a': 5, 'b': 0}, {'a': 3, 'b': 4})
chi_case({'en': 500, 'de': 120, 'fr': 80, 'es': 0}, {'en': 480, 'de': 100, 'fr': 90, 'es': 25, 'it': 5})
chi_case({'a': 1, 'b': 1}, {'a': 1, 'b': 1})
chi_case({'a': 100000, 'b': 50000, 'c': 1}, {'a': 99000, 'b': 52000, 'c': 30})
chi_case({'p': 7, 'q': 0, 'r': 3}, {'p': 2, 'q': 0, 'r': 9})
chi_case({str(i): int(v) for i, v in enumerate(I(1, 200, size=12))}, {str(i): int(v) for i, v in enumerate(I(1, 200, size=12))})

js_cases = []
for p, q in [([1, 0], [0, 1]), ([0.5, 0.5], [0.5, 0.5]), ([1, 2, 3], [3, 2, 1]), ([0.1, 0.2, 0.7], [0.2, 0.2, 0.6]),
             ([10, 0, 5, 1], [0, 3, 5, 9]), (list(U(0, 1, size=20)), list(U(0, 1, size=20))), ([1e-12, 1], [1, 1e-12])]:
    js_cases.append({'p': p, 'q': q, 'base2': num(jensenshannon(p, q, base=2)), 'natural': num(jensenshannon(p, q))})

bh_cases = []
for ps in [[0.01, 0.04, 0.03, 0.2, 0.5], [0.05], [0.001, 0.001, 0.5, 0.04, 0.04, 0.9, 1.0, 0.0],
           list(U(0, 0.2, size=25)), [0.5, 0.5, 0.5]]:
    bh_cases.append({'p': [float(v) for v in ps], 'q': [num(v) for v in stats.false_discovery_control(ps, method='bh')]})

chi2_sf = []
for x, df in [(0.5, 1), (3.841458820694124, 1), (10, 1), (100, 1), (1e-5, 1), (2, 2), (7, 3), (20, 5), (0.1, 5), (50, 10),
              (300, 10), (1000, 10), (90, 100), (130, 100), (1200, 1000), (950, 1000), (5, 0.5), (1e4, 9999), (30, 4)]:
    chi2_sf.append({'x': x, 'df': df, 'sf': num(stats.chi2.sf(x, df))})

t_ppf = []
for p, df in [(0.975, 1), (0.975, 2), (0.975, 3), (0.975, 5), (0.975, 10), (0.975, 30), (0.975, 1000), (0.995, 4),
              (0.05, 7), (0.5, 3), (0.9999, 2.5), (1e-6, 12), (0.999999, 1), (0.8, 0.7), (0.975, 1e6), (0.6, 200), (1e-8, 1), (1e-8, 2), (0.3, 2), (1e-8, 1e5)]:
    t_ppf.append({'p': p, 'df': df, 'q': num(stats.t.ppf(p, df))})

t_sf = []
for x, df in [(2.0, 1), (2.0, 5), (-1.5, 3), (10, 4), (0.3, 30), (4.5, 120), (1.96, 1e6)]:
    t_sf.append({'x': x, 'df': df, 'sf': num(stats.t.sf(x, df))})

norm_ppf = []
for p in [1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999, 1 - 1e-10, 0.9999999999999]:
    norm_ppf.append({'p': p, 'q': num(stats.norm.ppf(p))})

norm_sf = []
for z in [-8, -3, -1.96, -0.5, 0, 1e-8, 0.5, 1, 1.6448536269514722, 1.96, 2.5, 3, 5, 8, 10, 20, 30, 37]:
    norm_sf.append({'z': z, 'sf': num(stats.norm.sf(z))})

wilson = []
for s, n, conf in [(0, 10, 0.95), (10, 10, 0.95), (5, 10, 0.95), (1, 100, 0.95), (37, 120, 0.9), (950, 1000, 0.99),
                   (3, 7, 0.8), (123456, 1000000, 0.95)]:
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    q = s / n
    z2 = z * z
    denom = 1 + z2 / n
    center = (q + z2 / (2 * n)) / denom
    dist = z * math.sqrt(q * (1 - q) / n + z2 / (4 * n * n)) / denom
    wilson.append({'successes': s, 'n': n, 'confidence': conf, 'lower': center - dist, 'upper': center + dist})

props = []
for x1, n1, x2, n2 in [(30, 200, 20, 210), (5, 50, 5, 50), (0, 40, 6, 45), (900, 1000, 870, 1000), (12, 1000, 31, 1100)]:
    p1, p2 = x1 / n1, x2 / n2
    pp = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
    zz = (p1 - p2) / se
    row = {'x1': x1, 'n1': n1, 'x2': x2, 'n2': n2, 'z': zz,
           'two-sided': num(2 * stats.norm.sf(abs(zz))), 'greater': num(stats.norm.sf(zz)), 'less': num(stats.norm.cdf(zz))}
    zc = stats.norm.ppf(0.975)

    def wil(s, n):
        q = s / n
        d = 1 + zc * zc / n
        c = (q + zc * zc / (2 * n)) / d
        h = zc * math.sqrt(q * (1 - q) / n + zc * zc / (4 * n * n)) / d
        return c - h, c + h
    l1, u1 = wil(x1, n1)
    l2, u2 = wil(x2, n2)
    d = p1 - p2
    row['ciLower'] = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    row['ciUpper'] = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    props.append(row)

out = {
    'generator': 'scripts/stats/make_reference.py',
    'scipy': scipy.__version__,
    'numpy': np.__version__,
    'ks2samp': ks_cases,
    'kstwoSf': kstwo_cases,
    'fisherExact': fisher_cases,
    'chi2Contingency': chi_cases,
    'jensenShannon': js_cases,
    'benjaminiHochberg': bh_cases,
    'chi2Sf': chi2_sf,
    'tPpf': t_ppf,
    'tSf': t_sf,
    'normPpf': norm_ppf,
    'normSf': norm_sf,
    'wilson': wilson,
    'twoProportion': props,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print(f'wrote {OUT}: {os.path.getsize(OUT) / 1e6:.2f} MB, {len(ks_cases)} ks cases', file=sys.stderr)
