# gdl attribute --profile: the positional importance profile of the positives peaks inside a motif
# planted at a fixed place (a position-aware CNN, gradxinput and occlusion); numeric inputs (histone
# marks): the channels named in the TSV and profile headers, a heatmap SVG per example with a cell
# per channel and position, occlusion of a linear model equal to the hand-computed drop; errors.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
configs="$(dirname "$0")/../../configs"
T=$TMP

# 400 random 60-bp sequences; half carry TGACTCAT at bases 31-38 (1-based) and are labelled 1
"$PYTHON" - "$T/fixed" <<'PY'
import random
import sys
rng = random.Random(7)
with open(sys.argv[1] + ".fa", "w") as fa, open(sys.argv[1] + ".labels.tsv", "w") as lab:
    lab.write("id\tsite\n")
    for i in range(400):
        s = [rng.choice("ACGT") for _ in range(60)]
        y = i % 2
        if y:
            s[30:38] = "TGACTCAT"
        fa.write(">s%d\n%s\n" % (i, "".join(s)))
        lab.write("s%d\t%d\n" % (i, y))
PY
expect "encode the fixed-site sequences" 0 "$GDL" encode "$T/fixed.fa" -l "$T/fixed.labels.tsv" -o "$T/f.gdl" -q
expect "train position-cnn briefly" 0 "$GDL" train -q -c "$configs/position-cnn.json" -d "$T/f.gdl" -o "$T/f.model.gdl" \
    --epochs 8 --seed 1
# peak_in TSV: the argmax of the profile's total lies in the planted site, 31-38
peak_in() {
    awk -F'\t' 'NR == 1 {ok = $1 == "pos" && $NF == "total"} NR > 1 && $NF > best {best = $NF; at = $1}
        END {print "profile peak at " at > "/dev/stderr"; exit !(ok && at >= 31 && at <= 38)}' "$1"
}
for m in gradxinput occlusion; do
    expect "--profile of the positives, $m" 0 "$GDL" attribute -q -m "$T/f.model.gdl" -d "$T/f.gdl" --method $m \
        --cases --profile "$T/prof.$m" -o "$T/f.$m.npy"
    peak_in "$T/prof.$m.tsv" && pass "$m profile peaks inside the planted site" || fail "$m profile peaks inside the planted site"
done
lines "profile: a header and a row per position" "$T/prof.gradxinput.tsv" 61
contains "profile header names the bases" "$T/prof.gradxinput.tsv" "$(printf 'pos\tA\tC\tG\tT\ttotal')"
cells=$(grep -c 'class="cell"' "$T/prof.gradxinput.svg")
[ "$cells" -eq 240 ] && pass "profile svg: a heatmap cell per base and position (240)" || fail "profile svg cells" "$cells"
contains "profile svg: the total as a line" "$T/prof.gradxinput.svg" "<polyline"
# the profile is the mean |attribution| of the .npy the same run wrote
"$PYTHON" - "$T/f.gradxinput.npy" "$T/prof.gradxinput.tsv" <<'PY' && pass "profile = mean |attribution| of the .npy" ||
import sys
import numpy as np
a = np.abs(np.load(sys.argv[1])).mean(0)
t = np.loadtxt(sys.argv[2], skiprows=1)
assert t.shape == (60, 6) and (t[:, 0] == np.arange(1, 61)).all()
assert np.allclose(t[:, 1:5], a.T, rtol=1e-4, atol=1e-7) and np.allclose(t[:, 5], a.sum(0), rtol=1e-4, atol=1e-7)
PY
    fail "profile = mean |attribution| of the .npy"

# Numeric: 3 marks x 10 bins named by the header, a regression target from two bins
"$PYTHON" - "$T" <<'PY'
import random
import sys
rng = random.Random(3)
marks = ["H3K4me3", "H3K27ac", "H3K36me3"]
with open(sys.argv[1] + "/marks.tsv", "w") as m, open(sys.argv[1] + "/expr.tsv", "w") as y:
    m.write("id\t" + "\t".join("%s_%d" % (k, b + 1) for k in marks for b in range(10)) + "\n")
    y.write("id\texpr\n")
    for i in range(200):
        v = [round(rng.random() * 2, 3) for _ in range(30)]
        m.write("g%d\t%s\n" % (i, "\t".join(str(x) for x in v)))
        y.write("g%d\t%.4f\n" % (i, v[4] + 0.5 * v[15] + rng.gauss(0, 0.1)))
PY
expect "encode the marks" 0 "$GDL" encode "$T/marks.tsv" --shape 3,10 -n marks -l "$T/expr.tsv" -o "$T/m.gdl" -q
printf '{"inputs": [{"name": "marks", "from": "marks"}], "layers": [{"name": "f", "type": "flatten", "input": "marks"},
  {"name": "o", "type": "dense", "input": "f", "units": "outputs"}],
  "output": {"layer": "o"}, "training": {"epochs": 5, "seed": 1}}' >"$T/lin.json"
expect "train a linear model on the marks" 0 "$GDL" train -q -c "$T/lin.json" -d "$T/m.gdl" -o "$T/m.model.gdl"
printf 'g3\ng8\n' >"$T/two.ids"
expect "numeric --tsv and --svg" 0 "$GDL" attribute -q -m "$T/m.model.gdl" -d "$T/m.gdl" --ids "$T/two.ids" \
    --tsv "$T/m.tsv" --svg "$T/mplot" -o "$T/m.npy"
contains "tsv header names the marks" "$T/m.tsv" "$(printf 'id\tpos\tbase\tH3K4me3\tH3K27ac\tH3K36me3\tscore')"
lines "numeric tsv: a row per example and position" "$T/m.tsv" 21
for id in g3 g8; do
    cells=$(grep -c 'class="cell"' "$T/mplot.$id.svg")
    [ "$cells" -eq 60 ] && pass "svg of $id: 2 heatmaps of 3 x 10 cells" || fail "svg of $id: 2 heatmaps of 3 x 10 cells" "$cells"
done
contains "numeric svg labels the channels" "$T/mplot.g3.svg" ">H3K27ac</text>"
expect "numeric --profile" 0 "$GDL" attribute -q -m "$T/m.model.gdl" -d "$T/m.gdl" --profile "$T/mprof" -o "$T/all.npy"
contains "profile header names the marks" "$T/mprof.tsv" "$(printf 'pos\tH3K4me3\tH3K27ac\tH3K36me3\ttotal')"
cells=$(grep -c 'class="cell"' "$T/mprof.svg")
[ "$cells" -eq 30 ] && pass "numeric profile svg: 3 x 10 cells" || fail "numeric profile svg: 3 x 10 cells" "$cells"

# occlusion of a linear model, each mark's window of 3 set to 0 (or to the two examples' mean):
# the drop is sum w x (or w (x - mean)) over the window, a bin the mean over its windows; exact
for bl in zero mean; do
    expect "numeric occlusion, baseline $bl" 0 "$GDL" attribute -q -m "$T/m.model.gdl" -d "$T/m.gdl" --ids "$T/two.ids" \
        --method occlusion --window 3 --baseline $bl -o "$T/occ.$bl.npy"
    "$PYTHON" - "$T/occ.$bl.npy" "$T/m.model.gdl" "$T/m.gdl" $bl <<'PY' && pass "numeric occlusion ($bl) = the hand-computed drop" ||
import sys
import numpy as np
from read_gdl import read_gdl
a = np.load(sys.argv[1])
w = np.array(read_gdl(sys.argv[2])[0]["param:o.weight"]).reshape(3, 10)
t, _ = read_gdl(sys.argv[3])
ids = bytes(t["ids"]).decode().split('\0')[:-1]
x = np.array(t["input:marks"])[[ids.index("g3"), ids.index("g8")]].astype(np.float64)
x0 = x.mean(0) if sys.argv[4] == "mean" else np.zeros((3, 10))
Wd, L = 3, 10
want = np.zeros_like(x)
for i in range(2):
    drop = w * (x[i] - x0)
    change = np.array([[drop[c, j:j + Wd].sum() for j in range(L - Wd + 1)] for c in range(3)])
    for l in range(L):
        want[i, :, l] = change[:, max(0, l - Wd + 1):min(l, L - Wd) + 1].mean(1)
err = np.abs(a - want).max()
print("numeric occlusion (%s): max error %.2g, max |drop| %.3f" % (sys.argv[4], err, np.abs(want).max()), file=sys.stderr)
sys.exit(0 if a.shape == (2, 3, 10) and err < 1e-4 and np.abs(want).max() > 0.1 else 1)
PY
        fail "numeric occlusion ($bl) = the hand-computed drop"
done

# a dataset without channel names (an .npy, or a file from before them): c0, c1, c2
"$PYTHON" -c 'import numpy as np, sys; np.save(sys.argv[1], np.ones((2, 3, 10), dtype=np.float32))' "$T/plain.npy"
printf 'g3\ng8\n' >"$T/plain.ids"
expect "encode unnamed marks" 0 "$GDL" encode "$T/plain.npy" --ids "$T/plain.ids" --shape 3,10 -n marks -o "$T/plain.gdl" -q
expect "attribute unnamed marks" 0 "$GDL" attribute -q -m "$T/m.model.gdl" -d "$T/plain.gdl" --ids "$T/plain.ids" \
    --tsv "$T/plain.tsv" -o "$T/plain.a.npy"
contains "unnamed channels are c0 c1 c2" "$T/plain.tsv" "$(printf 'id\tpos\tbase\tc0\tc1\tc2\tscore')"

# errors: --profile on a genotype model, and a profile that cannot be written
expect "simulate a small cohort" 0 "$GDL" simulate genotypes -o "$T/P" -n 200 -m 30 -k 2 -s 3 -q
expect "encode it" 0 "$GDL" encode "$T/P.vcf.gz" --pheno "$T/P.pheno.tsv" --pheno-col disease -o "$T/g.gdl" -q
expect "train a genotype model" 0 "$GDL" train -q -c "$configs/genotype-linear.json" -d "$T/g.gdl" -o "$T/g.model.gdl" --epochs 1
expect "--profile on genotypes: exit 2" 2 "$GDL" attribute -q -m "$T/g.model.gdl" -d "$T/g.gdl" --profile "$T/gp" -o "$T/g.tsv"
contains "--profile on genotypes: says why" "$T/err" "--profile are for sequence and numeric inputs"
lines "--profile on genotypes: a one-line error" "$T/err" 1
[ ! -e "$T/gp.tsv" ] && [ ! -e "$T/g.tsv" ] && pass "no output after the genotype refusal" || fail "no output after the genotype refusal"
expect "--profile into a missing directory: exit 2" 2 "$GDL" attribute -q -m "$T/m.model.gdl" -d "$T/m.gdl" \
    --profile "$T/nodir/p" -o "$T/np.npy"
[ ! -e "$T/np.npy" ] && pass "no npy when the profile fails" || fail "no npy when the profile fails"
finish
