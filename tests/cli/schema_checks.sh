# What the readers check beyond the container's bytes: a model whose parameter has the right
# number of values in another shape (a transposed weight) is refused, naming the tensor; an input
# named like the genotype input ("my_genotypes") is an input of its own, not a genotype matrix.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP

"$GDL" encode -q "$data/motifs.fa" -l "$data/motifs.labels.tsv" -o "$T/m.gdl" &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m.gdl" -o "$T/model.gdl" --epochs 1 || fail "train a model"
# the same file with one 2-D parameter's shape reversed (same characters, same header length)
"$PYTHON" - "$T/model.gdl" "$T/transposed.gdl" >"$T/which" <<'PY' || fail "transposed fixture"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
name = next(k for k, v in head.items() if k.startswith("param:") and len(v["shape"]) == 2 and v["shape"][0] != v["shape"][1])
old = json.dumps(head[name]["shape"]).replace(" ", "")
new = json.dumps(head[name]["shape"][::-1]).replace(" ", "")
text = raw[8:8 + n].decode()
key = '"%s"' % name
at = text.index(key)
sh = text.index(old, at)
text = text[:sh] + new + text[sh + len(old):]
assert len(text.encode()) == n
open(sys.argv[2], "wb").write(raw[:8] + text.encode() + raw[8 + n:])
print(name)
PY
p=$(cat "$T/which")
expect "a transposed parameter: predict exits 2" 2 "$GDL" predict -m "$T/transposed.gdl" -d "$T/m.gdl" -o "$T/p.tsv"
contains "a transposed parameter: the tensor named" "$T/err" "transposed.gdl: tensor $p missing, not F32, or not of the shape the config gives"
[ ! -e "$T/p.tsv" ] && pass "a transposed parameter: no output" || fail "a transposed parameter: output written"
expect "the model itself predicts" 0 "$GDL" predict -m "$T/model.gdl" -d "$T/m.gdl" -o "$T/p.tsv"

printf 'id\tt_1\tt_2\np1\t0.5\t1\np2\t2\t0\n' >"$T/n.tsv"
printf 'id\ty\np1\t1\np2\t0\n' >"$T/y.tsv"
expect "an input named my_genotypes: encoded" 0 "$GDL" encode "$T/n.tsv" --shape 1,2 -n my_genotypes -l "$T/y.tsv" -o "$T/g.gdl"
expect "an input named my_genotypes: the dataset opens" 0 "$GDL" inspect --samples "$T/g.gdl"
contains "an input named my_genotypes: its samples listed" "$T/out" "p2"
expect "an input named my_genotypes: exported" 0 "$GDL" export --npy "$T/npy" "$T/g.gdl"
[ -e "$T/npy/input_my_genotypes.npy" ] && pass "an input named my_genotypes: exported as a numeric input" ||
    fail "an input named my_genotypes: no input_my_genotypes.npy"
finish
