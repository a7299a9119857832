# gdl train / predict on a genotype dataset with a planted additive signal: cross-validation
# learns it and a label-permuted copy does not; runs are reproducible, resumable and split
# across --fold jobs without changing the result.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
: "${TEST_BIN_DIR:?}"
root="$(dirname "$0")/../.."
cfg="$root/configs/genotype-mlp.json"
# the same network trained by the optimizer alone: its own lasso path on the validation split
pcfg="$TMP/mlp-path.json"
"$PYTHON" - "$cfg" "$pcfg" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["training"] = {"optimizer": "adam", "lr": 0.003, "batch": 32, "epochs": 100, "patience": 10, "val_frac": 0.15,
                 "l1_path": 30, "l1_min_ratio": 0.01, "early_stop": "metric", "seed": 1}
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
mk="$TEST_BIN_DIR/test_model"

"$mk" --make-dataset "$TMP/d.gdl" 600 200 1 0 && "$mk" --make-dataset "$TMP/perm.gdl" 600 200 1 1 &&
    "$mk" --make-dataset "$TMP/other.gdl" 50 150 2 0 && pass "datasets made" || fail "datasets made"

# ROC AUC of the first target, as gdl eval reports it
auc() {
    "$GDL" eval -q -p "$1" -o - 2>/dev/null | "$PYTHON" -c 'import json, sys; t = json.load(sys.stdin)["targets"]; print("%.4f" % next(iter(t.values()))["roc_auc"])'
}
above() { "$PYTHON" -c "import sys; sys.exit(0 if $1 > $2 else 1)"; }

expect "train --folds 5" 0 "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/m.gdl" --folds 5 \
    --oof "$TMP/oof.tsv" --folds-out "$TMP/folds.tsv" --log "$TMP/log.tsv"
lines "OOF has every example" "$TMP/oof.tsv" 601
contains "OOF header" "$TMP/oof.tsv" "$(printf 'id\tfold\tstatus:label\tstatus:score')"
lines "folds.tsv has every example" "$TMP/folds.tsv" 601
for k in 1 2 3 4 5; do [ -s "$TMP/m.fold$k.gdl" ] && pass "fold model $k written" || fail "fold model $k"; done
[ ! -e "$TMP/m.fold1.gdl.ckpt" ] && pass "checkpoints removed after success" || fail "checkpoint left"
expect "--plot learning curves" 0 "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/pl.gdl" --folds 3 --epochs 4 \
    --patience 0 --plot "$TMP/curves.svg"
"$PYTHON" - "$TMP/curves.svg" <<'PY' && pass "curves.svg: valid SVG, 3 folds x 2 lines of 4 epochs" || fail "curves.svg"
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
lines = root.findall("s:polyline", ns)
assert len(lines) == 6, len(lines)
assert all(len(l.get("points").split()) == 4 for l in lines)
assert sum(1 for l in lines if l.get("stroke-dasharray")) == 3
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert "fold 3" in texts and "Epoch" in texts and "Loss" in texts
PY
contains "log header" "$TMP/log.tsv" "$(printf 'epoch\tfold\ttrain_loss\tval_loss\tlr\tseconds')"
a=$(auc "$TMP/oof.tsv")
above "$a" 0.72 && pass "planted signal: OOF AUC $a > 0.72" || fail "planted signal: OOF AUC $a"

expect "train on permuted labels" 0 "$GDL" train -q -c "$cfg" -d "$TMP/perm.gdl" -o "$TMP/p.gdl" --folds 5 --oof "$TMP/poof.tsv"
p=$(auc "$TMP/poof.tsv")
above "$p" 0.38 && above 0.62 "$p" && pass "permuted labels: OOF AUC $p near 0.5" || fail "permuted labels: OOF AUC $p"

# the acceptance cohort: gdl simulate -> encode -> train --folds 5 -> eval, real and permuted labels
"$GDL" simulate genotypes -q -o "$TMP/sim" -n 1000 -m 1000 -k 8 -p 2 -s 42 || fail "simulate"
awk 'BEGIN { FS = OFS = "\t" } NR == 1 { print; next } { id[NR] = $1; d[NR] = $2; t[NR] = $3 }
     END { for (i = 2; i <= NR; i++) print id[i], d[(i * 7919) % (NR - 1) + 2], t[i] }' \
    "$TMP/sim.pheno.tsv" >"$TMP/perm.pheno.tsv"
for kind in sim perm; do
    "$GDL" encode -q "$TMP/sim.vcf.gz" --maf 0.01 --pheno "$TMP/$kind.pheno.tsv" --pheno-col disease \
        -o "$TMP/$kind.gdl" || fail "encode $kind"
    "$GDL" train -c "$cfg" -d "$TMP/$kind.gdl" -o "$TMP/$kind.m.gdl" --folds 5 --oof "$TMP/$kind.oof.tsv" \
        2>"$TMP/$kind.train.err" || fail "train $kind"
done
grep -c '^\[train\] fold [1-5]/5: .*, roc_auc 0\.[0-9]*$' "$TMP/sim.train.err" | grep -q '^5$' &&
    pass "a line per fold with its ROC AUC" || fail "fold lines" "$(grep fold "$TMP/sim.train.err" | head -3)"
summary=$(sed -n 's/^\[train\] 5 folds: roc_auc \([0-9.]*\) +- \([0-9.]*\) .*/\1 \2/p' "$TMP/sim.train.err")
want=$("$GDL" eval -q -p "$TMP/sim.oof.tsv" -o - 2>/dev/null | "$PYTHON" -c 'import json, sys
t = json.load(sys.stdin)["targets"]["disease"]
print("%.4f %.4f" % (t["fold_mean"]["roc_auc"], t["fold_sd"]["roc_auc"]))')
[ -n "$summary" ] && [ "$summary" = "$want" ] && pass "fold summary = gdl eval's fold mean and sd ($summary)" ||
    fail "fold summary '$summary', gdl eval says '$want'"
a=$(auc "$TMP/sim.oof.tsv") p=$(auc "$TMP/perm.oof.tsv")
above "$a" 0.58 && pass "simulated cohort: OOF AUC $a > 0.58" || fail "simulated cohort: OOF AUC $a"
above "$p" 0.42 && above 0.58 "$p" && pass "simulated, permuted: OOF AUC $p near 0.5" || fail "simulated, permuted: OOF AUC $p"
above "$a" "$p + 0.08" && pass "real labels clearly above permuted ($a vs $p)" || fail "real $a vs permuted $p"

# reproducible: same seed, same threads -> same bytes
expect "second identical run" 0 "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/m2.gdl" --folds 5 --oof "$TMP/oof2.tsv"
same "same seed: identical OOF" "$TMP/oof.tsv" "$TMP/oof2.tsv"
same "same seed: identical fold model" "$TMP/m.fold3.gdl" "$TMP/m2.fold3.gdl"
expect "two threads, twice" 0 "$GDL" train -q -@ 2 -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/t1.gdl" --epochs 3
expect "two threads, again" 0 "$GDL" train -q -@ 2 -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/t2.gdl" --epochs 3
same "2 threads: identical model" "$TMP/t1.gdl" "$TMP/t2.gdl"
expect "other seed" 0 "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/s2.gdl" --epochs 3 --seed 2
cmp -s "$TMP/t1.gdl" "$TMP/s2.gdl" && fail "another seed gives another model" || pass "another seed gives another model"

# --fold I jobs, concatenated, give the single-process OOF rows
: >"$TMP/merged.body"
for k in 1 2 3 4 5; do
    "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/j.gdl" --folds 5 --fold $k --oof "$TMP/oof.$k.tsv" || fail "fold job $k"
    tail -n +2 "$TMP/oof.$k.tsv" >>"$TMP/merged.body"
done
tail -n +2 "$TMP/oof.tsv" | sort >"$TMP/single.sorted"
sort "$TMP/merged.body" >"$TMP/merged.sorted"
same "--fold jobs merged = single-process OOF" "$TMP/single.sorted" "$TMP/merged.sorted"
same "--fold job model = single-process fold model" "$TMP/m.fold3.gdl" "$TMP/j.fold3.gdl"

# --resume after a kill mid-training gives the uninterrupted model
"$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/full.gdl" --epochs 200 --batch 16 --patience 0 || fail "uninterrupted run"
"$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/r.gdl" --epochs 200 --batch 16 --patience 0 &
pid=$!
i=0
while [ ! -e "$TMP/r.gdl.ckpt" ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 $pid 2>/dev/null && killed=1 || killed=0
wait $pid 2>/dev/null
if [ "$killed" = 1 ] && [ -e "$TMP/r.gdl.ckpt" ] && [ ! -e "$TMP/r.gdl" ]; then
    pass "killed mid-training with a checkpoint"
    expect "--resume" 0 "$GDL" train -q -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/r.gdl" --epochs 200 --batch 16 --patience 0 --resume
    same "resumed model = uninterrupted model" "$TMP/full.gdl" "$TMP/r.gdl"
else
    fail "kill mid-training (the run ended before the kill; make it longer)"
fi

# --restarts: short runs from several seeds, the best one trains on and is recorded
expect "--restarts 3" 0 "$GDL" train -c "$pcfg" -d "$TMP/d.gdl" -o "$TMP/rs.gdl" --restarts 3 --epochs 4 --early-stop loss
grep -c 'restart [1-3]/3: seed [1-3], validation loss' "$TMP/err" | grep -q '^3$' && pass "three restarts reported" ||
    fail "restarts not reported"
best=$(sed -n 's/.*restart [1-3]\/3: seed \([1-3]\), validation loss \([0-9.]*\)/\2 \1/p' "$TMP/err" | sort -n | head -1 | cut -d' ' -f2)
"$GDL" inspect "$TMP/rs.gdl" >"$TMP/rs.inspect"
contains "the model records the best restart's seed ($best)" "$TMP/rs.inspect" "$(printf 'meta\tgdl.seed\t%s' "$best")"

# --early-stop metric: the best epoch is the one with the best validation ROC AUC
expect "--early-stop metric" 0 "$GDL" train -c "$pcfg" -d "$TMP/d.gdl" -o "$TMP/es.gdl" --early-stop metric --epochs 6 --patience 0
best=$(sed -n 's/.*val_roc_auc \([0-9.]*\).*/\1/p' "$TMP/err" | sort -n | tail -1)
"$GDL" inspect "$TMP/es.gdl" | awk -F '\t' -v b="$best" '$2 == "gdl.best_val_metric" { found = 1; d = $3 - b; ok = d < 0.0001 && d > -0.0001 }
    END { exit !(found && ok) }' && pass "the model records the best validation AUC ($best)" || fail "best_val_metric != $best"
expect "--early-stop other" 2 "$GDL" train -c "$pcfg" -d "$TMP/d.gdl" -o "$TMP/x.gdl" --early-stop accuracy
contains "--early-stop other: named" "$TMP/err" "training.early_stop: expected loss or metric"

# the penalty keys are checked with their JSON paths
pen() { # name, training keys to add, expected message
    sed "s/\"training\": {/\"training\": {$2, /" "$pcfg" >"$TMP/pen.json"
    expect "penalty: $1" 2 "$GDL" train -c "$TMP/pen.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
    contains "penalty: $1 named" "$TMP/err" "$3"
}
pen "l1 and l1_path" '"l1": 0.01' "training.l1_path: give l1 (a fixed penalty) or l1_path, not both"
pen "l1_ratio 0" '"l1_ratio": 0' "training.l1_ratio: must lie in (0, 1]"
sed 's/"l1_min_ratio": 0.01/"l1_min_ratio": 1/' "$pcfg" >"$TMP/pen.json"
expect "penalty: l1_min_ratio 1" 2 "$GDL" train -c "$TMP/pen.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
contains "penalty: l1_min_ratio 1 named" "$TMP/err" "training.l1_min_ratio: must lie in (0, 1)"
pen "negative l2" '"l2": -1' "training.l2: must not be negative"
pen "l1_path_folds 1" '"l1_path_folds": 1' "training.l1_path_folds: must be 0 (off) or from 2 to 20"
pen "l1_path_folds and restarts" '"l1_path_folds": 3, "restarts": 2' "training.l1_path_folds: cannot be combined with restarts"
pen "unknown solver" '"solver": "newton"' "training.solver: expected gradient, cd or count, got 'newton'"
pen "solver cd on a deep model" '"solver": "cd"' "training.solver: cd fits one dense or sparse_dense layer on a genotype input (a linear model); this config has 6 layers"
pen "an l1_ratio list without cd" '"l1_ratio": [1, 0.5]' "training.l1_ratio: a list of ratios is a grid for training.solver cd or training.linear_by_cd; give one number"
pen "linear_by_cd naming no layer" '"linear_by_cd": "wide"' "training.linear_by_cd: no layer is named 'wide'"
pen "linear_by_cd on a hidden layer" '"linear_by_cd": "h1"' "training.linear_by_cd: 'h1' must be a dense or sparse_dense layer from a genotype input with \"units\": \"outputs\" (the linear model)"
pen "linear_by_cd with restarts" '"linear_by_cd": "linear", "restarts": 2' "training.linear_by_cd: cannot be combined with restarts"
pen "an l1_ratio list with a ratio out of range" '"l1_ratio": [1, 1.5]' "training.l1_ratio: must lie in (0, 1]"
pen "an empty l1_ratio list" '"l1_ratio": []' "training.l1_ratio: expected 1 to 8 numbers"
sed 's/"l1_path": 30,/"l1_path_folds": 3,/' "$pcfg" >"$TMP/pen.json"
expect "penalty: l1_path_folds without l1_path" 2 "$GDL" train -c "$TMP/pen.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
contains "penalty: l1_path_folds without l1_path named" "$TMP/err" "training.l1_path_folds: chooses the l1_path's step; set l1_path"
[ ! -e "$TMP/x.gdl" ] && pass "penalty errors leave no model" || fail "a refused config wrote a model"

# a diverging run stops with a message naming epoch and batch, and writes no model
expect "non-finite loss" 2 "$GDL" train -q -c "$pcfg" -d "$TMP/d.gdl" -o "$TMP/nan.gdl" --optimizer sgd --lr 1e30
contains "non-finite loss named" "$TMP/err" "the loss is not finite"
lines "non-finite loss: one line" "$TMP/err" 1
[ ! -e "$TMP/nan.gdl" ] && pass "no model after divergence" || fail "model written after divergence"

# predict: one model or the mean of the fold models
expect "predict with fold models" 0 "$GDL" predict -d "$TMP/d.gdl" -o "$TMP/pred.tsv" \
    -m "$TMP/m.fold1.gdl" -m "$TMP/m.fold2.gdl" -m "$TMP/m.fold3.gdl"
lines "predictions for every example" "$TMP/pred.tsv" 601
contains "predictions header" "$TMP/pred.tsv" "$(printf 'id\tstatus:label\tstatus:score')"
expect "predict to stdout" 0 "$GDL" predict -m "$TMP/full.gdl" -d "$TMP/d.gdl"
lines "stdout predictions" "$TMP/out" 601
cp "$TMP/out" "$TMP/pred.auto.tsv"
expect "predict --batch 7" 0 "$GDL" predict -m "$TMP/full.gdl" -d "$TMP/d.gdl" --batch 7
awk -F '\t' 'NR == FNR { s[FNR] = $3; next }
    FNR > 1 { d = $3 - s[FNR]; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { exit bad > 0 }' \
    "$TMP/pred.auto.tsv" "$TMP/out" && pass "predict: --batch 7 scores as the automatic batch" ||
    fail "predict --batch 7 differs from --batch 0"
expect "predict --batch -1 is a usage error" 1 "$GDL" predict -m "$TMP/full.gdl" -d "$TMP/d.gdl" --batch -1
contains "--batch error names the range" "$TMP/err" "from 0 to"
expect "predict refuses another cohort" 2 "$GDL" predict -m "$TMP/full.gdl" -d "$TMP/other.gdl" -o "$TMP/x.tsv"
contains "says what differs" "$TMP/err" "150 of the model's 200 variants (75.0%) are in the dataset, fewer than --min-overlap 0.9"
[ ! -e "$TMP/x.tsv" ] && pass "no output on refusal" || fail "output left on refusal"

# gdl eval -m MODEL -d DATA predicts first: the same metrics as predict | eval
expect "eval -m -d" 0 "$GDL" eval -m "$TMP/full.gdl" -d "$TMP/d.gdl" -o "$TMP/md.json"
"$GDL" predict -m "$TMP/full.gdl" -d "$TMP/d.gdl" -o "$TMP/full.pred.tsv" &&
    "$GDL" eval -p "$TMP/full.pred.tsv" -o "$TMP/pd.json" >/dev/null || fail "predict then eval"
"$PYTHON" -c 'import json, sys
a, b = (json.load(open(f))["targets"]["status"] for f in sys.argv[1:])
assert a["roc_auc"] == b["roc_auc"] and a["pr_auc"] == b["pr_auc"] and a["n"] == 600, (a, b)' \
    "$TMP/md.json" "$TMP/pd.json" && pass "eval -m -d = predict then eval" || fail "eval -m -d differs"
expect "eval -m without -d" 1 "$GDL" eval -m "$TMP/full.gdl"
expect "eval -m on another cohort" 2 "$GDL" eval -m "$TMP/full.gdl" -d "$TMP/other.gdl"
contains "eval -m: says what differs" "$TMP/err" "150 of the model's 200 variants"

# bad input
expect "missing config" 2 "$GDL" train -c "$TMP/none.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
contains "missing config named" "$TMP/err" "gdl train: $TMP/none.json: No such file"
printf '{"inputs": [{"name": "x", "from": "genotypes"}], "layers": [{"name": "h", "type": "dense", "input": "x", "units": "many"}], "output": {"layer": "h"}}' >"$TMP/bad.json"
expect "bad config" 2 "$GDL" train -c "$TMP/bad.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
contains "bad config: JSON path" "$TMP/err" "$TMP/bad.json: layers[0] (h):"
lines "bad config: one line" "$TMP/err" 1
# found by tests/fuzz (fuzz_config): a key given twice, or input beside inputs, leaked the first
badcfg() { # NAME CONFIG-TEXT MESSAGE
    printf '%s' "$2" >"$TMP/bad.json"
    expect "refused config: $1" 2 "$GDL" train -c "$TMP/bad.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
    contains "refused config: $1: named" "$TMP/err" "$3"
    lines "refused config: $1: one line" "$TMP/err" 1
}
badcfg "a layer named twice" '{"inputs": [{"name": "x", "from": "genotypes"}], "layers": [{"name": "h", "name": "g", "type": "dense", "input": "x", "units": "outputs"}], "output": {"layer": "h"}}' \
    "bad.json: layers[0].name: a key given twice in one object"
badcfg "input and inputs" '{"inputs": [{"name": "x", "from": "genotypes"}], "layers": [{"name": "h", "type": "dense", "input": "x", "inputs": ["x"], "units": "outputs"}], "output": {"layer": "h"}}' \
    'bad.json: layers[0].inputs: a layer has "input" or "inputs", not both'
"$PYTHON" -c 'print("{\"layers\": " + "[" * 100000 + "]" * 100000 + "}")' >"$TMP/deep.json"
expect "refused config: nested 10^5 deep" 2 "$GDL" train -c "$TMP/deep.json" -d "$TMP/d.gdl" -o "$TMP/x.gdl"
contains "refused config: nested 10^5 deep: named" "$TMP/err" "deep.json:1: JSON nested more than 64 levels deep"
badcfg "a layer of 10^12 units" '{"inputs": [{"name": "x", "from": "genotypes"}], "layers": [{"name": "h", "type": "dense", "input": "x", "units": 1000000000000}, {"name": "o", "type": "dense", "input": "h", "units": "outputs"}], "output": {"layer": "o"}}' \
    "layers[0] (h): node 'h': units=1000000000000 is beyond gdl's limit of 2147483647"
expect "--fold without --folds" 1 "$GDL" train -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/x.gdl" --fold 2
expect "bad --lr" 2 "$GDL" train -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/x.gdl" --lr fast
contains "bad --lr named" "$TMP/err" "--lr: expected a number"
expect "missing required options" 1 "$GDL" train -c "$cfg"
expect "train on a model file" 2 "$GDL" train -c "$cfg" -d "$TMP/full.gdl" -o "$TMP/x.gdl"
[ ! -e "$TMP/x.gdl" ] && pass "no model left by failures" || fail "model left by a failure"
finish
