#!/usr/bin/python3
"""compare_json.py EXPECTED.json KEY ACTUAL.json: checks gdl's metrics.json against the values
make_eval_fixtures.py stored under KEY (stdlib only). Numbers must agree to 1e-9 (relative
above 1), null must be null. A threshold is a score, which gdl eval holds as a float: it agrees
to float precision (1e-7 relative). Prints one "PASS KEY (N values)" or "FAIL KEY" line; the
mismatches go to stderr."""
import json
import math
import sys

TOL = 1e-9
TOL_FLOAT = 1e-7
exp_path, key, act_path = sys.argv[1:4]
with open(exp_path) as f:
    spec = json.load(f)[key]
with open(act_path) as f:
    actual = json.load(f)
bad = []
for path, want in spec["checks"]:
    got = actual
    try:
        for p in path:
            got = got[p]
    except (KeyError, IndexError, TypeError):
        bad.append(f"{'/'.join(map(str, path))}: missing, expected {want!r}")
        continue
    if want is None or isinstance(want, str) or got is None or isinstance(got, str):
        ok = got == want
    else:
        tol = TOL_FLOAT if path[-1] == "threshold" else TOL
        ok = isinstance(got, (int, float)) and math.isfinite(got) and abs(got - want) <= tol * max(1.0, abs(want))
    if not ok:
        bad.append(f"{'/'.join(map(str, path))}: gdl {got!r}, expected {want!r}")
if bad:
    print(f"FAIL {key} ({len(bad)} of {len(spec['checks'])} values differ)")
    for b in bad[:20]:
        print("  " + b, file=sys.stderr)
    sys.exit(1)
print(f"PASS {key} ({len(spec['checks'])} values to {TOL:g})")
