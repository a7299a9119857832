#!/bin/sh
# make bench-strand: strand handling on a task where the strand is arbitrary, ChIP-seq peaks
# (Oct4 vs Mafk, 200 bp, hg19; the Janggu example set in ../shared/data). The labelled training
# peaks are split once (seed 7): 3,000 held out as the test set, training sets of 300, 1,000 and
# the remaining 4,797 peaks. simple-cnn.json is trained as shipped ("plain"), with
# "augment": {"rc": true}, {"shift": 3} and both, for seeds 1-3, and every model scores the
# test set plainly and with gdl predict --rc. Output: one row per n, seed, config with the
# test ROC AUC of both predictions, then the means over seeds.
# Usage: bench_strand.sh GDL. Environment: BENCH_SHARED (default ../shared/data beside the
# repository), BENCH_OUT (default build/bench).
set -eu
G=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
D=${BENCH_SHARED:-$here/../shared/data}/janggu_oct4_vs_mafk
OUT=${BENCH_OUT:-$here/build/bench}/strand
[ -f "$D/combined.train.fa" ] || { echo "bench-strand: $D/combined.train.fa not found (set BENCH_SHARED)" >&2; exit 2; }
mkdir -p "$OUT"
cd "$OUT"
/usr/bin/python3 - "$D/combined.train.fa" <<'PY'
import random, sys
recs, name = {}, None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith(">"):
        name = line[1:]
        recs[name] = []
    else:
        recs[name].append(line)
ids = sorted(recs)
random.Random(7).shuffle(ids)
def write(path, chosen):
    with open(path, "w") as f:
        for i in chosen:
            f.write(f">{i}\n{''.join(recs[i])}\n")
write("test.fa", ids[:3000])
for n in (300, 1000, 4797):
    write(f"train{n}.fa", ids[3000:3000 + n])
PY
"$G" encode -q test.fa -l "$D/combined.train.labels.tsv" -o test.gdl
for n in 300 1000 4797; do "$G" encode -q "train$n.fa" -l "$D/combined.train.labels.tsv" -o "train$n.gdl"; done
config() { # augment JSON ({} = none), output file
    /usr/bin/python3 - "$here/configs/simple-cnn.json" "$1" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
a = json.loads(sys.argv[2])
if a:
    c["training"]["augment"] = a
json.dump(c, open(sys.argv[3], "w"))
PY
}
config '{}' plain.json
config '{"rc": true}' rc.json
config '{"shift": 3}' shift.json
config '{"rc": true, "shift": 3}' both.json
auc() {
    "$G" eval -p "$1" --tsv "$1.metrics.tsv" >/dev/null
    awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { printf "%.4f", $c["roc_auc"] }' "$1.metrics.tsv"
}
printf "n\tseed\tconfig\troc_auc\troc_auc_predict_rc\n" >strand.tsv
for n in 300 1000 4797; do
    for s in 1 2 3; do
        for c in plain rc shift both; do
            "$G" train -q -@ 1 -c "$c.json" -d "train$n.gdl" -o model.gdl --seed "$s"
            "$G" predict -q -m model.gdl -d test.gdl -o plain.tsv
            "$G" predict -q --rc -m model.gdl -d test.gdl -o rc.tsv
            printf "%s\t%s\t%s\t%s\t%s\n" "$n" "$s" "$c" "$(auc plain.tsv)" "$(auc rc.tsv)" | tee -a strand.tsv
        done
    done
done
echo "means over seeds (n, config, test ROC AUC, with predict --rc):"
awk -F '\t' 'NR > 1 { k = $1 "\t" $3; a[k] += $4; b[k] += $5; m[k]++ }
    END { for (k in a) printf "%s\t%.4f\t%.4f\n", k, a[k] / m[k], b[k] / m[k] }' strand.tsv | sort -k1,1n -k2,2
