# Training-time augmentation, "augment": {"rc": true, "shift": S} in the training block: the same
# seed gives the same model bytes, another seed another model; a model trained with random
# reverse complements is closer to strand-symmetric than the same config without them (its
# scores of a sequence and of its reverse complement differ less, measured on held-out
# sequences); misuse is refused (exit 2).
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
awk '/^>/ { n++ } n <= 300' "$data/motifs.fa" >"$T/train.fa"
awk '/^>/ { n++ } n > 300' "$data/motifs.fa" >"$T/test.fa"
"$GDL" encode -q "$T/train.fa" -l "$data/motifs.labels.tsv" -o "$T/train.gdl" &&
"$GDL" encode -q "$T/test.fa" -l "$data/motifs.labels.tsv" --rc -o "$T/test.gdl" || fail "encode the motif sets"
with_augment() { # JSON for training.augment -> config file
    "$PYTHON" - "$cfgs/simple-cnn.json" "$1" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["training"]["epochs"] = 20
if sys.argv[2] != "none":
    c["training"]["augment"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[3], "w"))
PY
}
with_augment none "$T/plain.json"
with_augment '{"rc": true, "shift": 2}' "$T/aug.json"
expect "train without augmentation" 0 "$GDL" train -c "$T/plain.json" -d "$T/train.gdl" -o "$T/plain.gdl"
expect "train with augment rc + shift 2" 0 "$GDL" train -c "$T/aug.json" -d "$T/train.gdl" -o "$T/aug.gdl"
expect "train again, same seed" 0 "$GDL" train -c "$T/aug.json" -d "$T/train.gdl" -o "$T/aug2.gdl"
same "augmentation: same seed, same model bytes" "$T/aug.gdl" "$T/aug2.gdl"
expect "train with another seed" 0 "$GDL" train -c "$T/aug.json" -d "$T/train.gdl" -o "$T/aug3.gdl" --seed 2
cmp -s "$T/aug.gdl" "$T/aug3.gdl" && fail "another seed, another model" || pass "another seed, another model"
cmp -s "$T/aug.gdl" "$T/plain.gdl" && fail "augmentation changes the model" || pass "augmentation changes the model"

with_augment '{"rc": true}' "$T/rc.json"
"$GDL" train -q -c "$T/rc.json" -d "$T/train.gdl" -o "$T/rc.gdl" || fail "train with augment rc"
"$GDL" predict -q -m "$T/plain.gdl" -d "$T/test.gdl" -o "$T/plain.tsv" &&
"$GDL" predict -q -m "$T/rc.gdl" -d "$T/test.gdl" -o "$T/rc.tsv" || fail "predict the held-out set"
"$PYTHON" - "$T/plain.tsv" "$T/rc.tsv" <<'PY' && pass "augment rc: scores of the two strands differ less than without" || fail "augment rc strand gap"
import sys
def gap(p):
    rows = [l.rstrip("\n").split("\t") for l in open(p)]
    cols = [i for i, h in enumerate(rows[0]) if ":score" in h]
    s = {r[0]: [float(r[i]) for i in cols] for r in rows[1:]}
    d = [abs(a - b) for k in s if not k.endswith(":rc") for a, b in zip(s[k], s[k + ":rc"])]
    return sum(d) / len(d)
plain, rc = gap(sys.argv[1]), gap(sys.argv[2])
print(f"mean |f(x) - f(rc x)|: plain {plain:.4f}, augment rc {rc:.4f}", file=sys.stderr)
assert plain > 0.02 and rc < 0.5 * plain, (plain, rc)
PY

L=$("$GDL" inspect "$T/train.gdl" | awk -F '\t' '$2 == "input:dna.length" { print $3 }')
with_augment "{\"shift\": $L}" "$T/far.json"
expect "shift as long as the input: exit 2" 2 "$GDL" train -c "$T/far.json" -d "$T/train.gdl" -o "$T/far.gdl"
contains "the shift error names the input length" "$T/err" "training.augment.shift $L: must be below the length of input 'dna' ($L)"
with_augment '{"flip": true}' "$T/bad.json"
expect "unknown augment key: exit 2" 2 "$GDL" train -c "$T/bad.json" -d "$T/train.gdl" -o "$T/bad.gdl"
contains "unknown augment key is named" "$T/err" "training.augment.flip: unknown key (rc, shift)"
"$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/g.gdl" || fail "encode cohort"
"$PYTHON" - "$cfgs/genotype-mlp.json" "$T/gaug.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["training"]["augment"] = {"rc": True}
json.dump(c, open(sys.argv[2], "w"))
PY
expect "augment on a genotype model: exit 2" 2 "$GDL" train -c "$T/gaug.json" -d "$T/g.gdl" -o "$T/gaug.gdl"
contains "augment on genotypes says why" "$T/err" "training.augment: the model reads no DNA sequence input"
[ ! -e "$T/gaug.gdl" ] && [ ! -e "$T/far.gdl" ] && pass "refused runs leave no model" || fail "a refused run left a model"
finish
