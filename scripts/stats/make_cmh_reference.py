#!/usr/bin/env python3
"""Reference values for cochranMantelHaenszel (src/stats/cmh.ts), from statsmodels'
StratifiedTable.test_null_odds(correction=False) and oddsratio_pooled.

Run with Debian's python (python3-statsmodels):  /usr/bin/python3 scripts/stats/make_cmh_reference.py
Writes test/fixtures/stats/cmh.json. Tests read the JSON; they never run python.
"""
import json
import os

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable

rng = np.random.default_rng(20261123)
cases = []


def add(name, strata):
    tables = [np.array([[a, b], [c, d]], dtype=float) for (a, b, c, d) in strata]
    st = StratifiedTable(tables)
    r = st.test_null_odds(correction=False)
    cases.append({
        "name": name,
        "strata": [list(map(float, s)) for s in strata],
        "statistic": float(r.statistic),
        "pValue": float(r.pvalue),
        "oddsRatio": float(st.oddsratio_pooled),
    })


add("textbook two strata", [(30, 970, 100, 9900), (12, 188, 40, 1960)])
add("single stratum equals 2x2 chi2", [(15, 85, 10, 90)])
add("no effect", [(10, 990, 100, 9900), (5, 495, 50, 4950)])
add("fractional effective counts", [(12.5, 287.25, 80.75, 9919.5), (3.2, 96.8, 30.1, 2969.9)])
for i in range(12):
    k = int(rng.integers(2, 7))
    strata = []
    for _ in range(k):
        n1 = int(rng.integers(40, 2000))
        n0 = int(rng.integers(500, 20000))
        p0 = float(rng.uniform(0.002, 0.2))
        p1 = min(0.99, p0 * float(rng.choice([1.0, 1.5, 3.0])))
        a = int(rng.binomial(n1, p1))
        c = int(rng.binomial(n0, p0))
        strata.append((a, n1 - a, c, n0 - c))
    add(f"random {i}", strata)

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "stats", "cmh.json")
with open(out, "w") as f:
    json.dump({"generator": "statsmodels StratifiedTable.test_null_odds(correction=False)", "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases to {out}")
