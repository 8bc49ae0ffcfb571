"""Reference values for the golden overlap scorers (src/golden/assertions/overlap.ts).

An independent, textbook implementation of each measure in plain Python:
  - levenshtein ratio: 1 - edit distance / max(len), edit distance by the Wagner-Fischer DP;
  - token F1 (SQuAD style, multiset overlap);
  - ROUGE-L F-measure (beta = 1) over the LCS of tokens;
  - ROUGE-1 recall (Lin 2004, clipped counts).
Tokens: lower-cased runs of Unicode letters/digits (`[^\W_]+`), the same rule as `tokenize` for
the ASCII and accented Latin texts used here. Writes test/fixtures/stats/golden-overlap.json.
Run: python3 scripts/stats/make_golden_overlap_reference.py
"""
import json
import random
import re
from collections import Counter
from pathlib import Path


def tokens(s):
    return re.findall(r"[^\W_]+", s.lower())


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        prev = cur
    return prev[len(b)]


def lev_ratio(a, b):
    n = max(len(a), len(b))
    return 1.0 if n == 0 else 1 - edit_distance(a, b) / n


def f1(c, r):
    ct, rt = tokens(c), tokens(r)
    if not ct or not rt:
        return 1.0 if len(ct) == len(rt) else 0.0
    common = sum((Counter(ct) & Counter(rt)).values())
    if common == 0:
        return 0.0
    p, rec = common / len(ct), common / len(rt)
    return 2 * p * rec / (p + rec)


def lcs(a, b):
    t = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            t[i][j] = t[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(t[i - 1][j], t[i][j - 1])
    return t[len(a)][len(b)]


def rouge_l(c, r):
    ct, rt = tokens(c), tokens(r)
    if not ct or not rt:
        return 1.0 if len(ct) == len(rt) else 0.0
    l = lcs(ct, rt)
    if l == 0:
        return 0.0
    p, rec = l / len(ct), l / len(rt)
    return 2 * p * rec / (p + rec)


def rouge_1(c, r):
    ct, rt = Counter(tokens(c)), Counter(tokens(r))
    total = sum(rt.values())
    if total == 0:
        return 1.0 if not ct else 0.0
    return sum(min(k, ct[g]) for g, k in rt.items()) / total


FIXED = [
    ("", ""),
    ("", "something"),
    ("kitten", "sitting"),
    ("The cat sat on the mat.", "the cat sat on the mat"),
    ("police killed the gunman", "police kill the gunman"),
    ("Refunds take 5 business days.", "Refunds are issued within 5 business days after we receive the return."),
    ("Yes! We ship to Norway. Delivery usually takes 3-5 business days.", "Yes, we ship to Norway; delivery takes 3 to 5 business days."),
    ("the the the the", "the cat"),
    ("a b c d e f", "f e d c b a"),
    ("Café crème, s'il vous plaît", "un café crème"),
    ("Go to Settings > Security and click Change password.", 'Use the "Forgot password" link on the sign-in page.'),
    ("snake_case words_here", "snake case words here"),
]

VOCAB = "the a cat dog sat ran on under mat rug quickly slowly red blue refund order days 5 30 business return ship".split()


def main():
    rnd = random.Random(20261123)
    pairs = list(FIXED)
    for _ in range(40):
        c = " ".join(rnd.choice(VOCAB) for _ in range(rnd.randint(0, 14)))
        r = " ".join(rnd.choice(VOCAB) for _ in range(rnd.randint(1, 14)))
        pairs.append((c, r))
    rows = [
        {"candidate": c, "reference": r, "levenshtein_ratio": lev_ratio(c, r), "f1": f1(c, r), "rouge_l": rouge_l(c, r), "rouge_1": rouge_1(c, r)}
        for c, r in pairs
    ]
    out = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "stats" / "golden-overlap.json"
    out.write_text(json.dumps({"generator": "scripts/stats/make_golden_overlap_reference.py", "rows": rows}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
