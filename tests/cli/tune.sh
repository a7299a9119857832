# gdl tune: a seeded search gives the same trial table on 1 and 2 threads; it finds a learning
# rate where the space's default cannot learn, and never returns worse than the default (trial
# 0, always trained in full); --resume after an interruption ends with the same table and best
# config; grids count their points; repeated blocks chain their copies; malformed spaces are
# refused naming the JSON path, and gdl train refuses a config with search entries.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
T=$TMP

"$GDL" simulate genotypes -q -o "$T/c" -n 2000 -m 200 -k 4 -s 5 &&
    "$GDL" encode -q "$T/c.vcf.gz" --pheno "$T/c.pheno.tsv" --pheno-col disease -o "$T/c.gdl" || fail "cohort"
cat >"$T/space.json" <<'JSON'
{"description": "a small MLP whose default learning rate is too low to learn",
 "inputs": [{"name": "x", "from": "genotypes", "sparse": true}],
 "layers": [
  {"name": "h", "type": "sparse_dense", "input": "x", "units": {"choice": [4, 16]}},
  {"repeat": {"range": [0, 2], "int": true, "default": 1}, "layers": [
     {"name": "r", "type": "relu", "input": "h"},
     {"name": "h2", "type": "dense", "input": "r", "units": 8}]},
  {"name": "logits", "type": "dense", "input": "h2", "units": "outputs"}],
 "output": {"layer": "logits", "loss": "auto"},
 "training": {"lr": {"range": [1e-6, 3e-2], "log": true, "default": 1e-6}, "epochs": 27, "patience": 0}}
JSON

expect "tune runs (1 thread)" 0 "$GDL" tune -c "$T/space.json" -d "$T/c.gdl" -o "$T/b1.json" --trials 9 -@ 1 \
    --plot "$T/p"
contains "one line per trial, its place in the rung" "$T/err" "trial 8 (rung 1/3, 9 of 9, 3 epochs): metric"
expect "tune runs (2 threads)" 0 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/b2.json" --trials 9 -@ 2
cut -f1-8 "$T/b1.trials.tsv" >"$T/t1"; cut -f1-8 "$T/b2.trials.tsv" >"$T/t2"
same "the trial table is the same on 1 and 2 threads (but for seconds)" "$T/t1" "$T/t2"
same "so is the best config" "$T/b1.json" "$T/b2.json"
contains "table header: parameters by JSON path" "$T/b1.trials.tsv" \
    "trial	rung	epochs	layers[0].units	layers[1].repeat	training.lr	metric	loss	seconds	status"
# 9 trials at 3 epochs, the best 3 at 9 (trial 0 among them or added), the best of those at 27
"$PYTHON" - "$T/b1.trials.tsv" "$T/b1.json" <<'PY' && pass "halving: rungs of 9, 3 (+ trial 0) and 1 (+ trial 0); the best beats trial 0" || fail "halving or the best"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows: by.setdefault(int(r["rung"]), []).append(r)
assert len(by[1]) == 9 and all(r["epochs"] == "3" for r in by[1]), by[1]
assert len(by[2]) in (3, 4) and "0" in [r["trial"] for r in by[2]]
assert 1 <= len(by[3]) <= 3 and "0" in [r["trial"] for r in by[3]]
full = {r["trial"]: float(r["metric"]) for r in by[3]}
best = max(full, key=lambda t: (full[t], -int(t)))
assert full[best] >= full["0"] + 0.05, full          # the default lr 1e-6 cannot learn
assert full[best] > 0.6, full
best_row = [r for r in by[3] if r["trial"] == best][0]
cfg = json.load(open(sys.argv[2]))
assert abs(cfg["training"]["lr"] - float(best_row["training.lr"])) < 1e-12, (cfg["training"], best_row)
assert cfg["layers"][0]["units"] == int(best_row["layers[0].units"])
PY
"$PYTHON" - "$T/b1.trials.tsv" "$T/p" <<'PY' && pass "--plot: an SVG per parameter, a dot per trial coloured by its last rung" ||
import collections, csv, math, re, sys
import xml.etree.ElementTree as ET
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
last = {}
for r in rows: last[r["trial"]] = max(last.get(r["trial"], 0), int(r["rung"]))
want = sorted(collections.Counter(last.values()).values())
for name in ("layers0.units", "layers1.repeat", "training.lr"):
    svg = ET.parse(f"{sys.argv[2]}.{name}.svg").getroot()
    dots = [e for e in svg.iter() if e.tag.endswith("circle")]
    got = sorted(collections.Counter(d.get("fill") for d in dots).values())
    assert got == want, (name, got, want)
lr = open(f"{sys.argv[2]}.training.lr.svg").read()
assert "log10 training.lr" in lr
# the best trial's dot is the highest one (smallest y) of the lr figure
svg = ET.parse(f"{sys.argv[2]}.training.lr.svg").getroot()
dots = [(float(e.get("cy")), float(e.get("cx"))) for e in svg.iter() if e.tag.endswith("circle")]
full = [r for r in rows if int(r["rung"]) == last[r["trial"]]]
best = max(full, key=lambda r: float(r["metric"]))
lo = min(math.log10(float(r["training.lr"])) for r in full); hi = max(math.log10(float(r["training.lr"])) for r in full)
frac = (math.log10(float(best["training.lr"])) - lo) / (hi - lo)
top = min(dots)
assert abs((top[1] - 80) / 440 - (frac + 0.05) / 1.1) < 0.01, (top, frac)  # 5% margins
PY
    fail "--plot: an SVG per parameter, a dot per trial coloured by its last rung"
expect "gdl train takes the best config" 0 "$GDL" train -q -c "$T/b1.json" -d "$T/c.gdl" -o "$T/b1.gdl" --folds 2

# an interrupted search: the table after 5 trials, then --resume
cp "$T/b1.trials.tsv" "$T/full.tsv"
head -6 "$T/full.tsv" >"$T/r.trials.tsv"
expect "resume runs" 0 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/r.json" --trials 9 --resume
cut -f1-8 "$T/r.trials.tsv" >"$T/tr"
same "resume: the same table as uninterrupted" "$T/t1" "$T/tr"
same "resume: the same best config" "$T/b1.json" "$T/r.json"
head -6 "$T/r.trials.tsv" >"$T/kept"; head -6 "$T/full.tsv" >"$T/kept0"
same "resume: the table's trials were kept, not run again" "$T/kept0" "$T/kept"
expect "resume: a table of another search is refused" 2 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" \
    -o "$T/r.json" --trials 9 --resume -s 7
contains "resume: named" "$TMP/err" "r.trials.tsv:3: trial 1 of another search"

# a Slurm array, rung by rung: --trial I tasks, then --merge lists the next rung's trials; the
# table and best config end as one process's (the tasks run here one after another)
mkdir -p "$T/arr"
list=0,1,2,3,4,5,6,7,8 round=0
while [ -n "$list" ] && [ "$round" -lt 5 ]; do
    round=$((round + 1))
    for i in $(echo "$list" | tr , ' '); do
        "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/arr/best.json" --trials 9 --trial "$i" ||
            fail "array task $i of round $round"
    done
    [ "$round" -eq 1 ] && [ ! -e "$T/arr/best.trials.tsv" ] && [ -s "$T/arr/best.trials.tsv.trial8" ] &&
        pass "array tasks write their part files, not the table" 
    list=$("$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/arr/best.json" --trials 9 --merge) ||
        fail "merge of round $round"
    echo "$round: $list" >>"$T/arr/rounds"
done
contains "merge lists rung 2's trials (trial 0 among them)" "$T/arr/rounds" "1: 0,"
lines "three rounds, the last with nothing left" "$T/arr/rounds" 3
cut -f1-8 "$T/arr/best.trials.tsv" >"$T/ta"
same "array + merge: the table of one process" "$T/t1" "$T/ta"
same "array + merge: the best config of one process" "$T/b1.json" "$T/arr/best.json"
ls "$T/arr" >"$T/arr.ls"
lines "a complete merge removes the parts" "$T/arr.ls" 3
expect "one task runs its own trial only" 0 "$GDL" tune -c "$T/space.json" -d "$T/c.gdl" \
    -o "$T/w.json" --table "$T/w.tsv" --trials 9 --trial 2 --epochs 1
"$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/w.json" --table "$T/w.tsv" --trials 9 --merge >"$T/wait" ||
    fail "merge of one task"
contains "merge: the other 8 trials still to run" "$T/wait" "0,1,3,4,5,6,7,8"
expect "--trial outside the search" 2 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/x.json" --trials 9 --trial 9
contains "--trial outside the search: named" "$TMP/err" "--trial 9: the search has trials 0..8"
expect "--trial with --merge" 1 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/x.json" --trial 1 --merge

# a grid: trial 0, then 2 choices x 3 repeat counts x 3 learning rates
expect "grid runs" 0 "$GDL" tune -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/g.json" --grid --eta 1 --epochs 2
lines "grid: 1 + 18 trials" "$T/g.trials.tsv" 20
contains "grid: log-spaced rates" "$T/g.trials.tsv" "	16	2	0.000173205	"
"$PYTHON" -c 'import json, sys; t = json.load(open(sys.argv[1]))["training"]; assert t["epochs"] == 2, t' "$T/g.json" &&
    pass "the best config keeps the --epochs its trials trained with" || fail "the best config keeps the --epochs its trials trained with"

# repeat: copies chained, NAME_k, what follows reads the last copy
sed 's/"repeat": {"range": \[0, 2\], "int": true, "default": 1}/"repeat": 2/' "$T/space.json" >"$T/rep.json"
expect "a fixed repeat" 0 "$GDL" tune -q -c "$T/rep.json" -d "$T/c.gdl" -o "$T/rep.best.json" --trials 1 --epochs 1
"$PYTHON" -c 'import json, sys; print(" ".join("%s<%s" % (l["name"], l["input"]) for l in json.load(open(sys.argv[1]))["layers"]))' \
    "$T/rep.best.json" >"$T/chain"
contains "repeat: the block's copies chained" "$T/chain" "h<x r<h h2<r r_2<h2 h2_2<r_2 logits<h2_2"
sed 's/"repeat": {"range": \[0, 2\], "int": true, "default": 1}/"repeat": 0/' "$T/space.json" >"$T/rep0.json"
expect "repeat 0" 0 "$GDL" tune -q -c "$T/rep0.json" -d "$T/c.gdl" -o "$T/rep0.best.json" --trials 1 --epochs 1
"$PYTHON" -c 'import json, sys; print(" ".join("%s<%s" % (l["name"], l["input"]) for l in json.load(open(sys.argv[1]))["layers"]))' \
    "$T/rep0.best.json" >"$T/chain0"
contains "repeat 0: the block left out, what follows reads its input" "$T/chain0" "h<x logits<h"

# malformed spaces: the JSON path of the fault
bad() { # NAME SED-EXPRESSION MESSAGE
    sed "$2" "$T/space.json" >"$T/bad.json"
    expect "refused: $1" 2 "$GDL" tune -q -c "$T/bad.json" -d "$T/c.gdl" -o "$T/bad.best.json"
    contains "refused: $1: named" "$TMP/err" "$3"
}
bad "an empty choice" 's/"choice": \[4, 16\]/"choice": []/' "bad.json: layers[0].units.choice: expected a non-empty array"
bad "an unknown entry key" 's/"log": true,/"log": true, "step": 2,/' "bad.json: training.lr.step: unknown key in a search entry"
bad "a range the wrong way round" 's/\[1e-6, 3e-2\]/[3e-2, 1e-6]/' "bad.json: training.lr.range: expected low < high"
bad "a log range from 0" 's/\[1e-6, 3e-2\]/[0, 3e-2]/' "bad.json: training.lr.range: a log range needs low > 0"
bad "a default outside the choices" 's/"choice": \[4, 16\]/"choice": [4, 16], "default": 8/' "bad.json: layers[0].units.default: not one of the choices"
bad "an unknown config key" 's/"patience": 0/"patience": 0, "bogus": 1/' "bad.json (its defaults): training.bogus: unknown key"
bad "a choice the config refuses" 's/"patience": 0/"patience": {"choice": [0, "x"]}/' 'bad.json (with training.patience = "x"): training.patience: expected an integer'
bad "a repeat outside the layers" 's/"patience": 0/"patience": {"repeat": 2}/' "bad.json: training.patience.repeat: only a layer or a block of layers repeats"
bad "a negative repeat" 's/"range": \[0, 2\], "int": true/"range": [-1, 2], "int": true/' "bad.json: layers[1].repeat.range: a repeat count is an integer 0..64"
# found by tests/fuzz (fuzz_space): a choice listed twice leaked the copy; keys given twice
bad "a choice listed twice" 's/"choice": \[4, 16\]/"choice": [4, 16, 4]/' "bad.json: layers[0].units.choice[2]: listed twice"
bad "a key given twice" 's/"patience": 0/"patience": 0, "patience": 1/' "bad.json: training.patience: a key given twice in one object"
"$PYTHON" -c 'print("{\"x\": " + "[" * 100000 + "]" * 100000 + "}")' >"$T/deep.json"
expect "refused: JSON nested 10^5 deep" 2 "$GDL" tune -q -c "$T/deep.json" -d "$T/c.gdl" -o "$T/bad.best.json"
contains "refused: JSON nested 10^5 deep: named" "$TMP/err" "deep.json:1: JSON nested more than 64 levels deep"
[ ! -e "$T/bad.best.json" ] && pass "refused spaces write no config" || fail "a refused space wrote a config"
expect "gdl train refuses a search space" 2 "$GDL" train -q -c "$T/space.json" -d "$T/c.gdl" -o "$T/x.gdl"
contains "gdl train refuses a search space: named" "$TMP/err" \
    "space.json: layers[0].units: a search entry: gdl train takes plain values; search the space with gdl tune"

# the shipped spaces load; trial 0 of genotype-mlp's is configs/genotype-mlp.json
spaces="$(dirname "$0")/../../configs/space"
for f in "$spaces"/*.json; do
    name=$(basename "$f")
    expect "shipped space $name loads (then the missing dataset is the error)" 2 "$GDL" tune -q -c "$f" \
        -d "$T/none.gdl" -o "$T/s.json"
    contains "shipped space $name: the dataset named" "$TMP/err" "none.gdl"
done
"$GDL" encode -q "$T/c.vcf.gz" --encoding dosage --pheno "$T/c.pheno.tsv" --pheno-col disease -o "$T/cd.gdl" &&
    "$GDL" tune -q -c "$spaces/genotype-mlp.json" -d "$T/cd.gdl" -o "$T/mlp0.json" --trials 1 --eta 1 || fail "genotype-mlp space"
"$PYTHON" - "$T/mlp0.json" "$spaces/../genotype-mlp.json" <<'PY' && pass "trial 0 of the genotype-mlp space is genotype-mlp.json" || fail "trial 0 of the genotype-mlp space"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("description"), b.pop("description")
assert a == b, (a, b)
PY
expect "tune --help" 0 "$GDL" tune --help
contains "tune --help lists --resume" "$TMP/out" "--resume"
expect "tune without -d" 1 "$GDL" tune -c "$T/space.json" -o "$T/x.json"
expect "tune --metric unknown" 1 "$GDL" tune -c "$T/space.json" -d "$T/c.gdl" -o "$T/x.json" --metric f2
expect "tune --time malformed" 1 "$GDL" tune -c "$T/space.json" -d "$T/c.gdl" -o "$T/x.json" --time 3d
finish
