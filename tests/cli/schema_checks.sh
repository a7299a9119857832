# What the readers check beyond the container's bytes: a model whose parameter has the right
# number of values in another shape (a transposed weight) is refused, naming the tensor; an input
# named like the genotype input ("my_genotypes") is an input of its own, not a genotype matrix;
# a model records what its input is (gdl.input_kind), so a DNA model is not run on numeric
# tracks of the same shape, nor gdl vep on a 4-track numeric model.
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
s = head[name]["shape"]
open(sys.argv[2] + ".shapes", "w").write("%s, the config's layers need %s" % (" x ".join(map(str, s[::-1])), " x ".join(map(str, s))))
PY
p=$(cat "$T/which"); cp "$T/transposed.gdl.shapes" "$T/shapes"
expect "a transposed parameter: predict exits 2" 2 "$GDL" predict -m "$T/transposed.gdl" -d "$T/m.gdl" -o "$T/p.tsv"
contains "a transposed parameter: the tensor and both shapes named" "$T/err" "transposed.gdl: tensor $p has shape $(cat "$T/shapes")"
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

# the input's kind: a model of 4 numeric tracks x 41 and a DNA model of 4 x 41
"$PYTHON" - "$T" <<'PY' || fail "numeric fixture"
import random, sys
r = random.Random(4)
with open(sys.argv[1] + "/tracks.tsv", "w") as f, open(sys.argv[1] + "/tracks.y.tsv", "w") as y:
    f.write("id" + "".join("\tt%d_%d" % (c, l) for c in range(4) for l in range(1, 42)) + "\n")
    y.write("id\tmotif_1\tmotif_2\n")
    for i in range(40):
        f.write("r%d" % i + "".join("\t%.3f" % r.random() for _ in range(4 * 41)) + "\n")
        y.write("r%d\t%d\t%d\n" % (i, i % 2, i // 2 % 2))
PY
"$GDL" encode -q "$T/tracks.tsv" --shape 4,41 -n dna -l "$T/tracks.y.tsv" -o "$T/tracks.gdl" &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/tracks.gdl" -o "$T/tracks.model.gdl" --epochs 1 || fail "train on tracks"
"$GDL" encode -q "$data/motifs.fa" -l "$data/motifs.labels.tsv" -w 41 -o "$T/m41.gdl" &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m41.gdl" -o "$T/dna.model.gdl" --epochs 1 || fail "train on DNA"
"$GDL" inspect "$T/dna.model.gdl" >"$T/dna.inspect" && "$GDL" inspect "$T/tracks.model.gdl" >"$T/tracks.inspect"
contains "a DNA model records its input kind" "$T/dna.inspect" "$(printf 'meta\tgdl.input_kind:dna\tdna')"
contains "a numeric model records its input kind" "$T/tracks.inspect" "$(printf 'meta\tgdl.input_kind:dna\tnumeric')"
expect "a DNA model on numeric tracks of its shape: exit 2" 2 "$GDL" predict -m "$T/dna.model.gdl" -d "$T/tracks.gdl" -o "$T/x.tsv"
contains "a DNA model on numeric tracks: says so" "$T/err" "tracks.gdl: input 'dna' is numeric, the model was trained on dna"
expect "a numeric model on DNA: exit 2" 2 "$GDL" predict -m "$T/tracks.model.gdl" -d "$T/m41.gdl" -o "$T/x.tsv"
contains "a numeric model on DNA: says so" "$T/err" "input 'dna' is dna, the model was trained on numeric"
printf '##fileformat=VCFv4.2\n##contig=<ID=seq1,length=200>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n' >"$T/v.vcf"
expect "gdl vep on a model of 4 numeric tracks: exit 2" 2 "$GDL" vep -m "$T/tracks.model.gdl" -i "$T/v.vcf" --ref "$data/motifs.fa" -o "$T/x.tsv"
contains "gdl vep on numeric tracks: says so" "$T/err" "numeric tracks"
expect "gdl vep on the DNA model of that shape" 0 "$GDL" vep -m "$T/dna.model.gdl" -i "$T/v.vcf" --ref "$data/motifs.fa" -o "$T/x.tsv"
finish
