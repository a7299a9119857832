# Training prevalence in model files, and gdl eval --weights-from: on the shipped motif sequences
# with three binary targets (motif_1, motif_2 with every 9th label missing, both = motif_1 and
# motif_2) a model stores each target's fraction of positives among the rows it was fit on (a
# fold model among its own training rows), a categorical model each class's fraction; the weighted
# averages weigh by a model's stored prevalence or a dataset's label prevalence and equal
# scikit-learn's per-target AUCs so weighted (1e-6); the default stays n_pos / n, said in the
# report and the JSON; a missing target, a target of another kind, a regression model, a model
# file without prevalence and a file that is neither model nor dataset are errors (exit 2, one
# line naming the file).
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
here=$(cd "$(dirname "$0")" && pwd)
py=$here/../python
cfg=$here/../../configs/simple-cnn.json
data=$here/../../data
T=$TMP

"$PYTHON" - "$data/motifs.labels.tsv" "$T" <<'PY' || fail "labels"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
d = sys.argv[2]
with open(f"{d}/l.tsv", "w") as f, open(f"{d}/sub.tsv", "w") as s, open(f"{d}/c.tsv", "w") as c:
    f.write("id\tmotif_1\tmotif_2\tboth\n")
    s.write("id\tmotif_1\tmotif_2\tboth\n")
    c.write("id\tcount\n")
    for i, (id_, a, b) in enumerate(rows):
        line = f"{id_}\t{a}\t{'' if i % 9 == 4 else b}\t{int(a == b == '1')}\n"
        f.write(line)
        if i % 3 == 0 or a == b == "1":  # a subset where 'both' is far more common
            s.write(line)
        c.write(f"{id_}\t{['none', 'one', 'two'][int(a) + int(b)]}\n")
PY
grep -v '^$' "$T/sub.tsv" | cut -f1 | tail -n +2 >"$T/sub.ids"
"$PYTHON" -c "
import sys
keep = set(open(sys.argv[2]).read().split())
out, on = [], False
for l in open(sys.argv[1]):
    if l.startswith('>'):
        on = l[1:].split()[0] in keep
    if on:
        out.append(l)
open(sys.argv[3], 'w').write(''.join(out))" "$data/motifs.fa" "$T/sub.ids" "$T/sub.fa" || fail "subset FASTA"
"$GDL" encode -q "$data/motifs.fa" -l "$T/l.tsv" -o "$T/d.gdl" &&
    "$GDL" encode -q "$T/sub.fa" -l "$T/sub.tsv" -o "$T/sub.gdl" &&
    "$GDL" encode -q "$data/motifs.fa" -l "$T/c.tsv" -o "$T/c.gdl" || fail "encode"

# prevalence FILE.gdl: its train:prevalence values and gdl.train_rows, one line
prevalence() {
    "$PYTHON" -c "
import sys
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
t, meta = read_gdl(sys.argv[2])
print(' '.join('%.9g' % v for v in t['train:prevalence']), meta['gdl.train_rows'])" "$py" "$1"
}
# hand LABELS [FOLDS K]: each target's fraction of positives among the non-missing labels of the
# rows of LABELS (with FOLDS, those outside fold K), and the number of rows
hand() {
    "$PYTHON" - "$@" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
head, rows = rows[0], rows[1:]
if len(sys.argv) > 2:
    fold = dict(l.split() for l in open(sys.argv[2]) if not l.startswith("id"))
    rows = [r for r in rows if fold[r[0]] != sys.argv[3]]
out = []
for j in range(1, len(head)):
    lab = [r[j] for r in rows if r[j] != ""]
    out.append("%.9g" % float(sum(v == "1" for v in lab) / len(lab)))
print(" ".join(out), len(rows))
PY
}
# close A B: the numbers of lines A and B agree to 1e-6 (float32 storage), the counts exactly
close() {
    "$PYTHON" -c "
import sys
a, b = sys.argv[2].split(), sys.argv[3].split()
assert len(a) == len(b) and a[-1] == b[-1], (a, b)
assert all(abs(float(x) - float(y)) < 1e-6 for x, y in zip(a[:-1], b[:-1])), (a, b)" "$@" &&
        pass "$1: $2" || fail "$1" "gdl '$2', by hand '$3'"
}

# ---- (a) the stored prevalence -------------------------------------------------------------------
expect "train one model (no validation split)" 0 "$GDL" train -q -c "$cfg" -d "$T/d.gdl" -o "$T/m.gdl" --epochs 2 \
    --val-frac 0
close "model: train:prevalence = each target's positives / labelled rows, gdl.train_rows" \
    "$(prevalence "$T/m.gdl")" "$(hand "$T/l.tsv")"
expect "train 3 folds" 0 "$GDL" train -q -c "$cfg" -d "$T/d.gdl" -o "$T/cv.gdl" --folds 3 --epochs 2 --val-frac 0 \
    --folds-out "$T/folds.tsv" --oof "$T/oof.tsv"
close "fold 2 model: the prevalence of its own training rows (folds 1 and 3)" \
    "$(prevalence "$T/cv.fold2.gdl")" "$(hand "$T/l.tsv" "$T/folds.tsv" 2)"
[ "$(prevalence "$T/cv.fold2.gdl")" != "$(prevalence "$T/m.gdl")" ] &&
    pass "fold 2's prevalence differs from all rows'" || fail "fold 2's prevalence equals all rows'"
expect "train a categorical model" 0 "$GDL" train -q -c "$cfg" -d "$T/c.gdl" -o "$T/c.m.gdl" --epochs 1 --val-frac 0
want=$("$PYTHON" -c "
import sys
lab = [l.split()[1] for l in open(sys.argv[1])][1:]
print(' '.join('%.9g' % (lab.count(c) / len(lab)) for c in ('none', 'one', 'two')), len(lab))" "$T/c.tsv")
close "categorical model: (K) each class's fraction, classes sorted" "$(prevalence "$T/c.m.gdl")" "$want"
expect "inspect a model" 0 "$GDL" inspect "$T/m.gdl"
contains "inspect lists train:prevalence" "$T/out" "$(printf 'tensor\ttrain:prevalence\tF32\t3\t12')"
contains "inspect prints each target's prevalence" "$T/out" \
    "$(printf 'train_prevalence\tboth\t%.6g' "$(prevalence "$T/m.gdl" | cut -d' ' -f3)")"
contains "inspect prints the rows counted" "$T/out" "$(printf 'meta\tgdl.train_rows\t400')"

# ---- (b), (c), (d) weighted averages against scikit-learn ------------------------------------------
# check JSON PREDICTIONS BY [FILE [LABELS]]: weighted ROC and PR AUC of metrics JSON (pooled and
# per fold) equal sklearn's per-target AUCs of PREDICTIONS weighted by FILE's train:prevalence (BY
# model), by the label prevalence of LABELS, the TSV dataset FILE was made from (BY data), or by
# n_pos / n of the rows (BY evaluated)
check() {
    "$PYTHON" - "$py" "$@" <<'PY'
import json, sys
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
m = json.load(open(sys.argv[2]))
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])]
head, rows = rows[0], rows[1:]
by = sys.argv[4]
names = [h[:-6] for h in head if h.endswith(":label")]
if by == "model":
    t, meta = read_gdl(sys.argv[5])
    w = dict(zip(meta["gdl.targets"].split("\t"), map(float, t["train:prevalence"])))
elif by == "data":
    lab = [l.rstrip("\n").split("\t") for l in open(sys.argv[6])]
    w = {}
    for j, n in enumerate(lab[0][1:], 1):
        v = [r[j] for r in lab[1:] if r[j] != ""]
        w[n] = sum(x == "1" for x in v) / len(v)
assert m["weights"]["by"] == {"model": "training prevalence", "data": "label prevalence",
                              "evaluated": "evaluated positives"}[by], m["weights"]
if by != "evaluated":
    assert m["weights"]["file"] == sys.argv[5], m["weights"]
    assert all(abs(m["weights"]["targets"][n] - w[n]) < 1e-7 for n in names), (m["weights"], w)
else:
    assert "file" not in m["weights"] and "targets" not in m["weights"], m["weights"]
fold = head.index("fold") if "fold" in head else None
sets = [(m, rows)] + ([(f, [r for r in rows if r[fold] == f["fold"]]) for f in m["folds"]] if fold else [])
for out, rs in sets:
    for metric, fn in (("roc_auc", roc_auc_score), ("pr_auc", average_precision_score)):
        num = den = 0
        for n in names:
            y = [(int(r[head.index(n + ":label")]), float(r[head.index(n + ":score")]))
                 for r in rs if r[head.index(n + ":label")] != ""]
            wt = w[n] if by != "evaluated" else sum(a for a, _ in y) / len(y)
            num += wt * fn([a for a, _ in y], [b for _, b in y])
            den += wt
        got = out["weighted"][metric]
        assert abs(got - num / den) < 1e-6, (out.get("fold", "pooled"), metric, got, num / den)
print(f"{len(sets)} sets")
PY
}
expect "eval --weights-from a fold model" 0 "$GDL" eval -p "$T/oof.tsv" --weights-from "$T/cv.fold2.gdl" -o "$T/w.json"
contains "the report says training prevalence" "$T/out" "weights: training prevalence ($T/cv.fold2.gdl)"
check "$T/w.json" "$T/oof.tsv" model "$T/cv.fold2.gdl" >"$T/why" 2>&1 &&
    pass "(b) weighted ROC and PR AUC = sklearn's weighted by the fold model's prevalence, pooled and per fold" ||
    fail "(b) weighted by the training prevalence" "$(cat "$T/why")"
expect "eval -m with --weights-from" 0 "$GDL" eval -m "$T/m.gdl" -d "$T/sub.gdl" --weights-from "$T/m.gdl" -o "$T/wm.json"
"$GDL" predict -q -m "$T/m.gdl" -d "$T/sub.gdl" -o "$T/sub.pred.tsv" || fail "predict the subset"
check "$T/wm.json" "$T/sub.pred.tsv" model "$T/m.gdl" >"$T/why" 2>&1 &&
    pass "(b) eval -m: weighted by the model's training prevalence" || fail "(b) eval -m" "$(cat "$T/why")"
expect "eval --weights-from a dataset" 0 "$GDL" eval -p "$T/oof.tsv" --weights-from "$T/sub.gdl" -o "$T/wd.json"
contains "the report says label prevalence" "$T/out" "weights: label prevalence ($T/sub.gdl)"
check "$T/wd.json" "$T/oof.tsv" data "$T/sub.gdl" "$T/sub.tsv" >"$T/why" 2>&1 &&
    pass "(c) weighted by the dataset's label prevalence, pooled and per fold" || fail "(c) dataset" "$(cat "$T/why")"
expect "eval without --weights-from" 0 "$GDL" eval -p "$T/oof.tsv" -o "$T/wn.json"
grep -c '^weights: ' "$T/out" | grep -qx 1 && contains "the report says evaluated positives" "$T/out" \
    "weights: evaluated positives (each target's n_pos / n)" || fail "one weights line in the report"
check "$T/wn.json" "$T/oof.tsv" evaluated >"$T/why" 2>&1 &&
    pass "(d) default: weighted by n_pos / n of the rows evaluated" || fail "(d) default" "$(cat "$T/why")"
"$PYTHON" -c "
import json, sys
a, b, c = (json.load(open(f))['weighted']['roc_auc'] for f in sys.argv[1:])
assert len({round(a, 9), round(b, 9), round(c, 9)}) == 3, (a, b, c)" "$T/w.json" "$T/wd.json" "$T/wn.json" &&
    pass "the three weightings give three weighted AUCs" || fail "the weightings do not change the weighted AUC"

# ---- (e) errors ------------------------------------------------------------------------------------
# err NAME MESSAGE ARGS...: exit 2 and one line on stderr holding MESSAGE
err() {
    local name=$1 msg=$2; shift 2
    "$GDL" eval "$@" >"$T/out" 2>"$T/err"; rc=$?
    if [ "$rc" -ne 2 ]; then fail "$name" "exit $rc, expected 2: $(cat "$T/err")"
    elif ! grep -qF -- "gdl eval: $msg" "$T/err"; then fail "$name" "expected 'gdl eval: $msg', got: $(cat "$T/err")"
    elif [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "$name" "more than one line on stderr"
    else pass "$name"; fi
}
cut -f1-3 "$T/l.tsv" >"$T/two.tsv"
"$GDL" encode -q "$data/motifs.fa" -l "$T/two.tsv" -o "$T/two.gdl" &&
    "$GDL" train -q -c "$cfg" -d "$T/two.gdl" -o "$T/two.m.gdl" --epochs 1 || fail "two-target data and model"
err "a target the dataset lacks" "$T/two.gdl (--weights-from): no target 'both'" -p "$T/oof.tsv" --weights-from "$T/two.gdl"
err "a target the model lacks" "$T/two.m.gdl (--weights-from): no target 'both'" -p "$T/oof.tsv" --weights-from "$T/two.m.gdl"
err "a categorical model for binary targets" "$T/c.m.gdl (--weights-from): no target 'motif_1'" -p "$T/oof.tsv" \
    --weights-from "$T/c.m.gdl"
printf 'id\tcount:label\tcount:score\nseq1\t0\t0.2\nseq2\t1\t0.7\n' >"$T/count.tsv"
err "a binary target the dataset holds as categorical" "$T/c.gdl (--weights-from): target 'count' is categorical there, not binary" \
    -p "$T/count.tsv" --weights-from "$T/c.gdl"
awk -F '\t' 'BEGIN { OFS = "\t" } NR == 1 { print; next } { print $1, ($2 == "none" ? 0 : $2 == "one" ? 1 : 2) }' \
    "$T/c.tsv" >"$T/r.tsv"
"$GDL" encode -q "$data/motifs.fa" -l "$T/r.tsv" -o "$T/r.gdl" &&
    "$GDL" train -q -c "$cfg" -d "$T/r.gdl" -o "$T/r.m.gdl" --epochs 1 || fail "regression data and model"
"$PYTHON" -c "
import sys
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
t, meta = read_gdl(sys.argv[2])
assert meta['gdl.target_kind'] == 'regression' and 'train:prevalence' not in t and 'gdl.train_rows' not in meta" \
    "$py" "$T/r.m.gdl" && pass "a regression model stores no prevalence" || fail "a regression model stores no prevalence"
err "a regression model" "$T/r.m.gdl (--weights-from): the model predicts regression targets, which have no prevalence" \
    -p "$T/count.tsv" --weights-from "$T/r.m.gdl"
# a model file from before models stored their prevalence: the same file without it
"$PYTHON" - "$py" "$T/m.gdl" "$T/old.gdl" <<'PY' && pass "old-style model written" || fail "old-style model written"
import json, struct, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
t, meta = read_gdl(sys.argv[2])
meta.pop("gdl.train_rows")
header, data = {"__metadata__": meta}, b""
for k, v in t.items():
    if k == "train:prevalence":
        continue
    raw = np.ascontiguousarray(v).tobytes()
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[3], "wb").write(struct.pack("<Q", len(h)) + h + data)
PY
expect "an old model still predicts" 0 "$GDL" predict -m "$T/old.gdl" -d "$T/d.gdl" -o "$T/old.pred.tsv"
"$GDL" predict -q -m "$T/m.gdl" -d "$T/d.gdl" -o "$T/new.pred.tsv"
same "an old model scores as the new one" "$T/old.pred.tsv" "$T/new.pred.tsv"
expect "an old model inspects" 0 "$GDL" inspect "$T/old.gdl"
if grep -q train_prevalence "$T/out"; then fail "old model: no prevalence listed"; else pass "old model: no prevalence listed"; fi
err "an old model without prevalence" "$T/old.gdl (--weights-from): the model stores no training prevalence" \
    -p "$T/oof.tsv" --weights-from "$T/old.gdl"
err "eval -m with an old model's weights" "$T/old.gdl (--weights-from): the model stores no training prevalence" \
    -m "$T/m.gdl" -d "$T/d.gdl" --weights-from "$T/old.gdl"
err "a TSV is neither model nor dataset" "$T/l.tsv: header length" -p "$T/oof.tsv" --weights-from "$T/l.tsv"
err "a .gdl of other tensors is neither" "$here/../data/nn/dense.gdl (--weights-from): neither a model nor a dataset" \
    -p "$T/oof.tsv" --weights-from "$here/../data/nn/dense.gdl"
err "an absent file" "$T/absent.gdl: No such file" -p "$T/oof.tsv" --weights-from "$T/absent.gdl"
expect "eval --help names --weights-from" 0 "$GDL" eval --help
contains "eval --help names --weights-from" "$T/out" "--weights-from FILE"
finish
