#!/usr/bin/env python3
"""Times scipy.stats.ks_2samp on float64 arrays written by bench/ks.ts.

usage: ks_scipy.py X.f64 Y.f64 REPS  -> prints one JSON object
"""
import json
import sys
import time

import numpy as np
from scipy import stats

x = np.fromfile(sys.argv[1], dtype=np.float64)
y = np.fromfile(sys.argv[2], dtype=np.float64)
reps = int(sys.argv[3])
times = []
res = None
for _ in range(reps):
    t = time.perf_counter()
    res = stats.ks_2samp(x, y)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({'ms': float(np.median(times)), 'times': times, 'statistic': float(res.statistic), 'pValue': float(res.pvalue)}))
