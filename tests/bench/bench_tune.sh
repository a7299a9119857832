#!/bin/sh
# Successive halving against training every trial in full: gdl tune with a shipped space, N
# random trials, eta 3 over RUNGS rungs vs --eta 1, the same seed. Prints both searches' wall time,
# their ratio, the best metric each found and the gap, and the per-trial overhead (wall time less
# the trials' own seconds).
# $1 = gdl binary; $THREADS [2]; $TRIALS [27]; $RUNGS, halving's rungs [3];
# $SPACE, a search space [configs/space/simple-cnn.json]; $DATA, a dataset [data/motifs encoded];
# $PATIENCE, every trial's early-stopping patience, 0 = off, so trials train all their epochs
# [the space's].
set -eu
GDL=${1:?usage: bench_tune.sh GDL}
T=${THREADS:-2}
N=${TRIALS:-27}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
d="$here/data/tune"
mkdir -p "$d"
space=${SPACE:-$root/configs/space/simple-cnn.json}
data=${DATA:-$d/motifs.gdl}
[ -n "${DATA:-}" ] || "$GDL" encode -q "$root/data/motifs.fa" -l "$root/data/motifs.labels.tsv" -o "$data"
if [ -n "${PATIENCE:-}" ]; then # the space with another patience, beside the original
    /usr/bin/python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["training"]["patience"] = int(sys.argv[2]); json.dump(s, open(sys.argv[3], "w"))' \
        "$space" "$PATIENCE" "$d/space.json"
    space="$d/space.json"
fi
echo "space $space, data $data, $N trials, $T threads"
search() { # name, then options: wall seconds into $d/NAME.secs
    name=$1; shift
    rm -f "$d/$name.trials.tsv"
    s0=$(date +%s.%N)
    "$GDL" tune -q -@ "$T" -c "$space" -d "$data" -o "$d/$name.json" --trials "$N" "$@"
    echo "$(date +%s.%N) - $s0" | bc >"$d/$name.secs"
}
search halving --eta 3 --rungs "${RUNGS:-3}"
search full --eta 1
/usr/bin/python3 - "$d" "$N" <<'PY'
import csv, sys
d, n = sys.argv[1], sys.argv[2]
def best(name):
    rows = list(csv.DictReader(open(f"{d}/{name}.trials.tsv"), delimiter="\t"))
    top = max(int(r["rung"]) for r in rows)
    full = [(float(r["metric"]), r["trial"]) for r in rows if int(r["rung"]) == top and r["metric"] != "NA"]
    return max(full), sum(float(r["seconds"]) for r in rows), len(rows)
for name in ("halving", "full"):
    wall = float(open(f"{d}/{name}.secs").read())
    (m, t), trained, k = best(name)
    print(f"{name:8s} {n} trials: {wall:7.1f} s wall, {k} trainings, best metric {m:.4f} (trial {t}), "
          f"overhead {(wall - trained) / k:.3f} s per training")
h, f = (float(open(f"{d}/{x}.secs").read()) for x in ("halving", "full"))
print(f"halving / full wall time: {h / f:.3f}; best metric gap (full - halving): {best('full')[0][0] - best('halving')[0][0]:+.4f}")
PY
