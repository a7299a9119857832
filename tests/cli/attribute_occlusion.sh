# gdl attribute --method occlusion: exactly 0 outside a model's receptive field and non-zero inside
# it; on a linear model over one-hot bases the hand-worked expectation of a random window, and over
# numeric channels the exact drop; reproducible by --seed at any --batch; a k-mer count model
# (no gradient) accepted; the errors.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

expect "simulate sequences" 0 "$GDL" simulate sequences -o "$T/S" --n 60 --length 30 --motif TGACTCAT --seed 2 -q
expect "encode sequences" 0 "$GDL" encode "$T/S.fa" -l "$T/S.labels.tsv" -o "$T/s.gdl" -q
awk 'NR > 1 && NR <= 21 {print $1}' "$T/S.labels.tsv" >"$T/twenty.ids"

# A convolution of width 5 with a stride longer than the input reads bases 1-5 only; windows of 3
# then reach the score from the windows starting at 1..5, so positions 1-7 can change it, 8-30 not.
printf '{"inputs": [{"name": "dna", "from": "dna"}], "layers": [
  {"name": "c", "type": "conv1d", "input": "dna", "filters": 3, "width": 5, "stride": 1000},
  {"name": "a", "type": "tanh", "input": "c"}, {"name": "f", "type": "flatten", "input": "a"},
  {"name": "o", "type": "dense", "input": "f", "units": "outputs"}],
  "output": {"layer": "o"}, "training": {"epochs": 2, "seed": 1}}' >"$T/rf.json"
expect "train a model reading bases 1-5" 0 "$GDL" train -q -c "$T/rf.json" -d "$T/s.gdl" -o "$T/rf.gdl"
expect "occlusion --window 3 --draws 8" 0 "$GDL" attribute -q -m "$T/rf.gdl" -d "$T/s.gdl" --method occlusion \
    --window 3 --draws 8 --ids "$T/twenty.ids" -o "$T/rf.npy"
"$PYTHON" - "$T/rf.npy" "$T/s.gdl" "$T/twenty.ids" <<'PY' && pass "occlusion: 0 at positions 8-30, non-zero at 1-7, on the base present only" ||
import sys
import numpy as np
from read_gdl import read_gdl
a = np.load(sys.argv[1])
t, _ = read_gdl(sys.argv[2])
ids = bytes(t["ids"]).decode().split('\0')[:-1]
want = [l.strip() for l in open(sys.argv[3])]
seq = np.array(t["input:dna"])[[ids.index(i) for i in want]]
onehot = np.stack([seq == ord(b) for b in "ACGT"], 1)
assert a.shape == (20, 4, 30), a.shape
assert (a[~onehot] == 0).all(), "a channel other than the base present is set"
total = a.sum(1)
assert (total[:, 7:] == 0).all(), "outside the receptive field: %s" % total[:, 7:].max()
assert (total[:, :7] != 0).all(), "inside the receptive field: %s" % (total[:, :7] == 0).sum()
PY
    fail "occlusion: 0 at positions 8-30, non-zero at 1-7, on the base present only"

# Linear over the one-hot bases, f = b + sum w[c, l] x[c, l]: hiding window j under uniform random
# bases drops f by sum over its positions p of w[base at p, p] - mean_c w[c, p] on average; 4000
# draws put the mean within a few thousandths of it (per-draw sd ~0.2 over 3 positions).
printf '{"inputs": [{"name": "dna", "from": "dna"}], "layers": [{"name": "f", "type": "flatten", "input": "dna"},
  {"name": "o", "type": "dense", "input": "f", "units": "outputs"}],
  "output": {"layer": "o"}, "training": {"epochs": 2, "seed": 1}}' >"$T/lin.json"
expect "train a linear model" 0 "$GDL" train -q -c "$T/lin.json" -d "$T/s.gdl" -o "$T/lin.gdl"
head -3 "$T/twenty.ids" >"$T/three.ids"
expect "occlusion of the linear model, 4000 draws" 0 "$GDL" attribute -q -m "$T/lin.gdl" -d "$T/s.gdl" \
    --method occlusion --window 3 --draws 4000 --ids "$T/three.ids" -o "$T/lin.npy"
"$PYTHON" - "$T/lin.npy" "$T/lin.gdl" "$T/s.gdl" "$T/three.ids" <<'PY' && pass "linear model: occlusion = the expected weight difference (within 0.02)" ||
import sys
import numpy as np
from read_gdl import read_gdl
a = np.load(sys.argv[1])
w = np.array(read_gdl(sys.argv[2])[0]["param:o.weight"]).reshape(4, 30)
t, _ = read_gdl(sys.argv[3])
ids = bytes(t["ids"]).decode().split('\0')[:-1]
want = [l.strip() for l in open(sys.argv[4])]
L, Wd = 30, 3
worst, scale = 0, 0
for i, name in enumerate(want):
    s = np.array(t["input:dna"])[ids.index(name)]
    base = np.array(["ACGT".index(chr(b)) for b in s])
    gain = w[base, np.arange(L)] - w.mean(0)  # what a position's base adds over a random one
    change = np.array([gain[j:j + Wd].sum() for j in range(L - Wd + 1)])
    for l in range(L):
        cover = change[max(0, l - Wd + 1):min(l, L - Wd) + 1]
        got = a[i, base[l], l]
        worst = max(worst, abs(got - cover.mean()))
        scale = max(scale, abs(cover.mean()))
print("linear occlusion: worst error %.4f, largest expected %.3f" % (worst, scale), file=sys.stderr)
sys.exit(0 if worst < 0.02 and scale > 0.1 else 1)
PY
    fail "linear model: occlusion = the expected weight difference (within 0.02)"

# The same seed gives the same bytes at any batch size; another seed other draws.
run() { "$GDL" attribute -q -m "$T/rf.gdl" -d "$T/s.gdl" --method occlusion --window 3 --ids "$T/twenty.ids" "$@"; }
run -o "$T/r1.npy" && run --batch 7 -o "$T/r2.npy" && run -s 5 -o "$T/r3.npy" || fail "occlusion runs"
same "occlusion: same seed, batch 64 and 7, same bytes" "$T/r1.npy" "$T/r2.npy"
cmp -s "$T/r1.npy" "$T/r3.npy" && fail "occlusion: another seed draws other bases" || pass "occlusion: another seed draws other bases"

# a k-mer count model takes no gradient but can be occluded (the centre-base study's baseline)
expect "train a k-mer count model" 0 "$GDL" train -q -c "$(dirname "$0")/../../configs/kmer-counts.json" -d "$T/s.gdl" -o "$T/nb.gdl"
expect "occlusion of a k-mer count model" 0 "$GDL" attribute -q -m "$T/nb.gdl" -d "$T/s.gdl" --method occlusion \
    --ids "$T/twenty.ids" -o "$T/nb.npy"
"$PYTHON" -c 'import sys, numpy as np; a = np.load(sys.argv[1]); sys.exit(not (np.isfinite(a).all() and (a.sum(1) != 0).mean() > 0.9))' \
    "$T/nb.npy" && pass "k-mer model occlusion: finite, non-zero at most positions" || fail "k-mer model occlusion: finite, non-zero at most positions"
expect "a gradient method on it is still refused" 2 "$GDL" attribute -q -m "$T/nb.gdl" -d "$T/s.gdl" --method gradxinput -o "$T/x.npy"

# errors: a window of 0 is a bad option (usage, 1); longer than the input, or genotypes: exit 2
expect "--window 0: usage error" 1 "$GDL" attribute -m "$T/rf.gdl" -d "$T/s.gdl" --method occlusion --window 0 -o "$T/x.npy"
contains "--window 0: says why" "$T/err" "--window: must be at least 1"
expect "--window longer than the input: exit 2" 2 "$GDL" attribute -q -m "$T/rf.gdl" -d "$T/s.gdl" --method occlusion \
    --window 31 -o "$T/x.npy"
contains "--window 31: names the input's length" "$T/err" "--window 31: longer than the 30 positions of input 'dna'"
lines "--window 31: a one-line error" "$T/err" 1
[ ! -e "$T/x.npy" ] && pass "no npy after an occlusion error" || fail "no npy after an occlusion error"
expect "--window without occlusion: usage error" 1 "$GDL" attribute -m "$T/rf.gdl" -d "$T/s.gdl" --window 3 -o "$T/x.npy"
expect "simulate a small cohort" 0 "$GDL" simulate genotypes -o "$T/P" -n 200 -m 30 -k 2 -s 3 -q
expect "encode it" 0 "$GDL" encode "$T/P.vcf.gz" --pheno "$T/P.pheno.tsv" --pheno-col disease -o "$T/g.gdl" -q
expect "train a genotype model" 0 "$GDL" train -q -c "$(dirname "$0")/../../configs/genotype-linear.json" \
    -d "$T/g.gdl" -o "$T/g.model.gdl" --epochs 1
expect "occlusion on genotypes: exit 2" 2 "$GDL" attribute -q -m "$T/g.model.gdl" -d "$T/g.gdl" --method occlusion -o "$T/x.tsv"
contains "occlusion on genotypes: names the method" "$T/err" "--method occlusion: input 'genotypes' holds genotypes"
lines "occlusion on genotypes: a one-line error" "$T/err" 1
[ ! -e "$T/x.tsv" ] && pass "no table after the genotype refusal" || fail "no table after the genotype refusal"
finish
