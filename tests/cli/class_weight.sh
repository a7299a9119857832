# training.class_weight balanced on an unbalanced 3-class splice-like set (the minority sites
# subsampled to about 6% each): the training loss is the class-weighted cross-entropy with weights
# n / (C n_c) over the training rows (one full batch, no update: recomputed here from the model's
# predictions), the held-out loss stays the plain cross-entropy (comparable across weightings),
# the balanced accuracy rises well above the unweighted model's, and a bad value is refused.
. "$(dirname "$0")/lib.sh"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
"$PYTHON" "$(dirname "$0")/splice_like.py" "$T/s" 3000 11 || fail "splice-like set"
"$PYTHON" - "$T" <<'PY' || fail "unbalanced subset"
import random, sys
d = sys.argv[1]
rng = random.Random(5)
lab = [l.rstrip("\n").split("\t") for l in open(f"{d}/s.labels.tsv")]
keep = {x[0] for x in lab[1:] if x[1] == "N" or rng.random() < 0.12}
open(f"{d}/u.labels.tsv", "w").write("\t".join(lab[0]) + "\n" + "".join("\t".join(x) + "\n" for x in lab[1:] if x[0] in keep))
out, cur = [], None
for l in open(f"{d}/s.fa"):
    if l.startswith(">"):
        cur = l[1:].split()[0]
    if cur in keep:
        out.append(l)
open(f"{d}/u.fa", "w").write("".join(out))
PY
"$GDL" encode -q "$T/u.fa" -l "$T/u.labels.tsv" -o "$T/u.gdl" || fail "encode"
sed 's/"patience": 5}/"patience": 5, "class_weight": "balanced"}/' "$cfgs/position-cnn.json" >"$T/cw.json"
expect "class_weight balanced trains" 0 "$GDL" train -c "$T/cw.json" -d "$T/u.gdl" -o "$T/cw.gdl" --folds 5 \
    --val-frac 0 --epochs 15 --oof "$T/cw.oof.tsv"
cp "$T/err" "$T/cw.err"
"$GDL" train -q -c "$cfgs/position-cnn.json" -d "$T/u.gdl" -o "$T/plain.gdl" --folds 5 --val-frac 0 --epochs 15 \
    --oof "$T/plain.oof.tsv" || fail "unweighted model"
"$PYTHON" - "$T/cw.oof.tsv" "$T/cw.err" <<'PY' && pass "held-out losses are the plain cross-entropy" ||
import math, re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
head, rows = rows[0], rows[1:]
classes = [h.split(":")[-1] for h in head if h.startswith("site:score:")]
at = {c: head.index("site:score:" + c) for c in classes}
want = {}
for k in sorted({r[1] for r in rows}):
    held = [r for r in rows if r[1] == k]
    want[int(k)] = sum(-math.log(float(r[at[r[2]]])) for r in held) / len(held)
got = {int(k): float(v) for k, v in re.findall(r"fold (\d+)/5: .*held-out loss ([0-9.]+)", open(sys.argv[2]).read())}
assert len(got) == 5, got
worst = max(abs(got[k] - want[k]) for k in want)
assert worst < 2e-4, (got, want)
PY
fail "held-out losses are not the plain cross-entropy"
# the weights: one batch of every row, a learning rate too small to move anything, no dropout
cat >"$T/tiny.json" <<'JSON'
{"inputs": [{"name": "dna", "from": "dna"}],
 "layers": [{"name": "conv", "type": "conv1d", "input": "dna", "filters": 4, "width": 5},
            {"name": "pool", "type": "global_maxpool", "input": "conv"},
            {"name": "logits", "type": "dense", "input": "pool", "units": "outputs"}],
 "output": {"layer": "logits", "loss": "auto"},
 "training": {"optimizer": "sgd", "lr": 1e-30, "batch": 100000, "epochs": 1, "val_frac": 0,
              "class_weight": "balanced"}}
JSON
"$GDL" train -q -c "$T/tiny.json" -d "$T/u.gdl" -o "$T/tiny.gdl" --log "$T/tiny.log" &&
    "$GDL" predict -q -m "$T/tiny.gdl" -d "$T/u.gdl" -o "$T/tiny.pred.tsv" || fail "tiny model"
"$PYTHON" - "$T/tiny.pred.tsv" "$T/tiny.log" <<'PY' && pass "training loss: class-weighted, weights n / (C n_c)" ||
import math, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
head, rows = rows[0], rows[1:]
classes = [h.split(":")[-1] for h in head if h.startswith("site:score:")]
label = head.index("site:label")
labels = [r[label] for r in rows]
w = {c: len(rows) / (len(classes) * labels.count(c)) for c in classes}
want = sum(w[r[label]] * -math.log(float(r[head.index("site:score:" + r[label])])) for r in rows) / \
    sum(w[y] for y in labels)
got = float(open(sys.argv[2]).read().splitlines()[1].split("\t")[2])
assert abs(got - want) < 2e-5 * max(1, want), (got, want)
plain = sum(-math.log(float(r[head.index("site:score:" + r[label])])) for r in rows) / len(rows)
assert abs(plain - want) > 1e-3, (plain, want)  # the weights change the loss
PY
fail "training loss is not the class-weighted cross-entropy"
# balanced accuracy: the mean over classes of the recall
bacc() { "$GDL" eval -p "$1" -o "$1.json" | awk '$1 == "site" { print $4 }'; }
w=$(bacc "$T/cw.oof.tsv") p=$(bacc "$T/plain.oof.tsv")
echo "balanced accuracy: class_weight balanced $w, none $p" >&2
awk -v w="$w" -v p="$p" 'BEGIN { exit !(w >= p + 0.03 && w >= 0.85) }' &&
    pass "balanced accuracy: $w weighted vs $p (>= +0.03 and >= 0.85)" || fail "balanced accuracy: $w weighted vs $p"
sed 's/"patience": 5}/"patience": 5, "class_weight": "auto"}/' "$cfgs/position-cnn.json" >"$T/bad.json"
expect "class_weight auto refused" 2 "$GDL" train -q -c "$T/bad.json" -d "$T/u.gdl" -o "$T/x.gdl"
contains "names the key" "$T/err" "training.class_weight: expected none or balanced, got 'auto'"
cut -f1-2 "$T/u.labels.tsv" | awk -F '\t' 'BEGIN { OFS = "\t" } NR == 1 { print "id", "donor"; next } { print $1, $2 == "EI" }' \
    >"$T/bin.labels.tsv"
"$GDL" encode -q "$T/u.fa" -l "$T/bin.labels.tsv" -o "$T/bin.gdl" || fail "binary encode"
expect "class_weight on a binary target refused" 2 "$GDL" train -q -c "$T/cw.json" -d "$T/bin.gdl" -o "$T/x.gdl"
contains "points to pos_weight" "$T/err" "for binary targets use \"pos_weight\": true"
[ ! -e "$T/x.gdl" ] && pass "nothing written by the refused runs" || fail "a refused run wrote a model"
finish
