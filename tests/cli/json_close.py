#!/usr/bin/python3
"""json_close.py EXPECTED.json ACTUAL.json TOL: the two metrics.json files hold the same keys,
the same nulls and strings (but "file"), and numbers equal to TOL (relative above 1). Prints
the worst difference; exit 1 with the mismatches on stderr."""
import json
import sys

exp_path, act_path, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
bad, worst = [], [0.0, ""]


def walk(a, b, path):
    where = "/".join(map(str, path))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            bad.append(f"{where}: keys {sorted(set(a) ^ set(b))} in one only")
        for k in a:
            if k != "file" and k in b:
                walk(a[k], b[k], path + [k])
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (u, v) in enumerate(zip(a, b)):
            walk(u, v, path + [i])
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        d = abs(a - b) / max(1.0, abs(a))
        if d > worst[0]:
            worst[:] = [d, where]
        if d > tol:
            bad.append(f"{where}: {b!r}, expected {a!r}")
    elif a != b:
        bad.append(f"{where}: {b!r}, expected {a!r}")


with open(exp_path) as f, open(act_path) as g:
    walk(json.load(f), json.load(g), [])
for line in bad[:20]:
    print("  " + line, file=sys.stderr)
print(f"worst difference {worst[0]:.3g} at {worst[1] or '-'}")
sys.exit(1 if bad else 0)
