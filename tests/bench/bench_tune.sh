#!/bin/sh
# Successive halving against training every trial in full: gdl tune with the shipped simple-cnn
# space on data/motifs (400 x 200 bp, 2 targets), 27 random trials, eta 3 over 3 rungs vs
# --eta 1, the same seed. Prints both searches' wall time, their ratio, the best metric each
# found and the gap, and the per-trial overhead (wall time less the trials' own seconds).
# $1 = gdl binary; $THREADS [2]; $TRIALS [27]; $RUNGS, halving's rungs [3].
set -eu
GDL=${1:?usage: bench_tune.sh GDL}
T=${THREADS:-2}
N=${TRIALS:-27}
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../.."
d="$here/data/tune"
mkdir -p "$d"
"$GDL" encode -q "$root/data/motifs.fa" -l "$root/data/motifs.labels.tsv" -o "$d/motifs.gdl"
search() { # name, then options: wall seconds into $d/NAME.secs
    name=$1; shift
    rm -f "$d/$name.trials.tsv"
    s0=$(date +%s.%N)
    "$GDL" tune -q -@ "$T" -c "$root/configs/space/simple-cnn.json" -d "$d/motifs.gdl" -o "$d/$name.json" \
        --trials "$N" "$@"
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
    full = [float(r["metric"]) for r in rows if int(r["rung"]) == top and r["metric"] != "NA"]
    return max(full), sum(float(r["seconds"]) for r in rows), len(rows)
for name in ("halving", "full"):
    wall = float(open(f"{d}/{name}.secs").read())
    m, trained, k = best(name)
    print(f"{name:8s} {n} trials: {wall:7.1f} s wall, {k} trainings, best metric {m:.4f}, "
          f"overhead {(wall - trained) / k:.3f} s per training")
h, f = (float(open(f"{d}/{x}.secs").read()) for x in ("halving", "full"))
print(f"halving / full wall time: {h / f:.3f}; best metric gap (full - halving): {best('full')[0] - best('halving')[0]:+.4f}")
PY
