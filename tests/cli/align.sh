# gdl predict / attribute on another cohort: the dataset's genotype columns aligned to the
# model's training variants by CHROM:POS:REF:ALT. A logistic regression trained on a simulated
# cohort scores (a) the same cohort with its records in reverse order, (b) with 10 of 120
# variants dropped (against the score computed here from the weights and the training means),
# (c) with 5 extra variants, (d) with a multi-allelic record split into biallelic records in
# the other ALT order; then --min-overlap, a genotype encoding mismatch, and a model file
# written before models kept their variants. gdl eval -m aligns as predict does: its metrics on
# (a) and (b) are those of predict's scores, and --min-overlap refuses as predict's does.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
py="$(dirname "$0")/../python"
P=$TMP/P

cat >"$TMP/lin.json" <<'EOF'
{"description": "logistic regression on genotypes, for the cohort alignment tests",
 "inputs": [{"name": "genotypes", "from": "genotypes", "sparse": true}],
 "layers": [{"name": "logits", "type": "sparse_dense", "input": "genotypes", "units": "outputs"}],
 "output": {"layer": "logits", "loss": "auto"},
 "training": {"optimizer": "adam", "lr": 0.01, "batch": 32, "epochs": 5, "seed": 1}}
EOF
# enc NAME VCF [options]: the cohort NAME.gdl with the simulated labels
enc() {
    local name=$1 vcf=$2; shift 2
    "$GDL" encode "$vcf" --gene-tag GENE --pheno "$P.pheno.tsv" --pheno-col disease -o "$TMP/$name.gdl" -q "$@"
}
# matched NAME LOG N M A E: the report line of gdl_model_align in LOG
matched() {
    contains "$1" "$2" "$3 of $4 model variants matched, $5 absent (filled with the training mean), $6 dataset variants not in the model"
}

expect "simulate cohort" 0 "$GDL" simulate genotypes -o "$P" -n 300 -m 120 -k 5 -p 0 -s 5 -q
zcat "$P.vcf.gz" | grep '^#' >"$TMP/hdr"
zcat "$P.vcf.gz" | grep -v '^#' >"$TMP/rec"
# a multi-allelic record (ALT T,C; genotypes 0..2 by sample) ahead of the simulated ones
awk -F'\t' 'NR == 1 {printf "1\t5\tmulti\tA\tT,C\t.\tPASS\t.\tGT"; for (i = 10; i <= NF; i++)
    printf "\t%d/%d", (i * 7) % 3, (i * 5 + 1) % 3; print ""}' "$TMP/rec" >"$TMP/multi"
cat "$TMP/hdr" "$TMP/multi" "$TMP/rec" >"$TMP/a.vcf"
expect "encode the training cohort" 0 enc a "$TMP/a.vcf"
expect "train" 0 "$GDL" train -c "$TMP/lin.json" -d "$TMP/a.gdl" -o "$TMP/m.gdl" -q
expect "predict the training cohort" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/a.gdl" -o "$TMP/pa.tsv"
if [ -s "$TMP/err" ]; then fail "same catalog: no report" "$(cat "$TMP/err")"; else pass "same catalog: no report"; fi
expect "the model keeps its 122 variants" 0 "$PYTHON" -c "
import sys; sys.path.insert(0, '$py'); from read_gdl import read_gdl
t, meta = read_gdl('$TMP/m.gdl')
assert t['catalog:pos'].shape == (122,) and t['input:genotypes.freq'].shape == (122, 3), t['catalog:pos'].shape
assert meta['input:genotypes.encoding'] == 'dosage' and bytes(t['catalog:alt'][:4]) == b'T\0C\0'"

# (a) records reversed: every column found, the same scores to the bit
{ cat "$TMP/hdr"; tac "$TMP/rec"; cat "$TMP/multi"; } >"$TMP/rev.vcf"
expect "encode the reversed cohort" 0 enc rev "$TMP/rev.vcf"
expect "(a) predict the reversed cohort" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/rev.gdl" -o "$TMP/prev.tsv"
matched "(a) report" "$TMP/err" 122 122 0 0
same "(a) scores equal the training cohort's" "$TMP/pa.tsv" "$TMP/prev.tsv"
expect "(a) attribute the reversed cohort" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/rev.gdl" -o "$TMP/arev.tsv"
expect "attribute the training cohort" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/a.gdl" -o "$TMP/aa.tsv"
same "(a) attribution table equals the training cohort's" "$TMP/aa.tsv" "$TMP/arev.tsv"

# (b) every 12th simulated record dropped: 10 absent variants take the training mean
{ cat "$TMP/hdr" "$TMP/multi"; awk 'NR % 12 != 3' "$TMP/rec"; } >"$TMP/drop.vcf"
expect "encode the cohort lacking 10 variants" 0 enc drop "$TMP/drop.vcf"
expect "(b) predict it" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/drop.gdl" -o "$TMP/pdrop.tsv"
matched "(b) report" "$TMP/err" 112 122 10 0
expect "export the training cohort" 0 "$GDL" export --npy "$TMP/npy" "$TMP/a.gdl"
"$PYTHON" - "$py" "$TMP/m.gdl" "$TMP/npy/input_genotypes.npy" "$TMP/pdrop.tsv" "$TMP/pa.tsv" <<'PY' &&
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
t, _ = read_gdl(sys.argv[2])
w = np.asarray(t["param:logits.weight"], np.float64)[:, 0]
b = float(t["param:logits.bias"][0])
fr = np.asarray(t["input:genotypes.freq"], np.float64)
mean = fr[:, 1] + 2 * fr[:, 2]                      # a missing call's dosage in training
x = np.load(sys.argv[3]).astype(np.float64)         # (N, 122): 0/1/2, 255 = missing
x = np.where(x == 255, mean, x)
absent = [2 + j for j in range(120) if (j + 1) % 12 == 3]  # columns 0, 1: the multi-allelic record's ALTs
x[:, absent] = mean[absent]
want = 1 / (1 + np.exp(-(x @ w + b)))
got = np.loadtxt(sys.argv[4], skiprows=1, usecols=2)
full = np.loadtxt(sys.argv[5], skiprows=1, usecols=2)
assert np.abs(got - want).max() < 1e-6, np.abs(got - want).max()
assert np.abs(got - full).max() > 1e-3  # the dropped variants did count
PY
    pass "(b) scores equal the weights applied with absent variants at the training mean" ||
    fail "(b) scores equal the weights applied with absent variants at the training mean"
expect "(b) attribute it" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/drop.gdl" -o "$TMP/adrop.tsv"
lines "(b) attribution lists the 112 variants the cohort has" "$TMP/adrop.tsv" 113
awk -F'\t' 'NR > 1 && $1 != NR - 1 {bad = 1} END {exit bad}' "$TMP/adrop.tsv" &&
    pass "(b) ranks run 1..112" || fail "(b) ranks run 1..112"
cut -f2 "$TMP/adrop.tsv" | grep -qx 'v000003' && fail "(b) an absent variant is not listed" ||
    pass "(b) an absent variant is not listed"
awk -F'\t' 'NR > 1 && NR % 12 == 3 {print $3}' "$TMP/rec" >"$TMP/dropped"
lines "(b) 10 variants dropped" "$TMP/dropped" 10
expect "(b) gene level with a null" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/drop.gdl" --level gene --null 20 \
    -o "$TMP/gdrop.tsv"
expect "gene level on the training cohort" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/a.gdl" --level gene -o "$TMP/ga.tsv"
sum_n() { awk -F'\t' 'NR > 1 {n += $4} END {print n + 0}' "$1"; }
in_genes=$(awk -F'\t' 'NR % 12 == 3 && $8 ~ /GENE=/' "$TMP/rec" | wc -l)
[ "$in_genes" -gt 0 ] && [ $(($(sum_n "$TMP/ga.tsv") - $(sum_n "$TMP/gdrop.tsv"))) -eq "$in_genes" ] &&
    pass "(b) genes count only the variants the cohort has ($in_genes fewer)" ||
    fail "(b) genes count only the variants the cohort has" "$(sum_n "$TMP/ga.tsv") and $(sum_n "$TMP/gdrop.tsv"), $in_genes dropped in genes"
expect "(b) pairs" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/drop.gdl" --method ism --pairs 30 \
    --backgrounds 20 -o "$TMP/pdrop_pairs.tsv"
lines "(b) 30 choose 2 pairs" "$TMP/pdrop_pairs.tsv" 436
awk -F'\t' 'NR == FNR {gone[$1] = 1; next} FNR > 1 && (($2 in gone) || ($3 in gone) || ($5 in gone)) {bad = 1}
    END {exit bad}' "$TMP/dropped" "$TMP/pdrop_pairs.tsv" "$TMP/gdrop.tsv" "$TMP/adrop.tsv" &&
    pass "(b) no absent variant in the pair, gene or variant tables" ||
    fail "(b) no absent variant in the pair, gene or variant tables"
expect "(b) --min-overlap 0.95 refuses 112 of 122" 2 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/drop.gdl" \
    -o "$TMP/refused.tsv" --min-overlap 0.95
contains "(b) refusal names the counts" "$TMP/err" "112 of the model's 122 variants (91.8%) are in the dataset, fewer than --min-overlap 0.95"
[ -e "$TMP/refused.tsv" ] && fail "(b) no output on refusal" || pass "(b) no output on refusal"
expect "(b) attribute --min-overlap 1 refuses" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/drop.gdl" \
    -o "$TMP/refused.tsv" --min-overlap 1
expect "--min-overlap 1 takes the reversed cohort" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/rev.gdl" \
    -o "$TMP/p1.tsv" --min-overlap 1
expect "--min-overlap 1.5 is a usage error" 1 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/rev.gdl" --min-overlap 1.5

# gdl eval -m aligns as predict does: its metrics are those of predict's scores on the cohort
expect "eval --help names --min-overlap" 0 "$GDL" eval --help
contains "eval --help: --min-overlap and its default" "$TMP/out" "model's variants are in it; 1: every one [0.9]"
# evalm CASE DATA PRED: eval -m on DATA against eval -p of predict's PRED, per-target TSVs
evalm() {
    expect "$1 eval -m" 0 "$GDL" eval -m "$TMP/m.gdl" -d "$2" --tsv "$TMP/em.tsv"
    cp "$TMP/err" "$TMP/em.err"
    "$GDL" eval -p "$3" --tsv "$TMP/ep.tsv" >/dev/null 2>&1 || fail "$1 eval -p"
    same "$1 eval -m metrics equal predict's scores evaluated" "$TMP/ep.tsv" "$TMP/em.tsv"
}
evalm "(a)" "$TMP/rev.gdl" "$TMP/prev.tsv"
matched "(a) eval -m report" "$TMP/em.err" 122 122 0 0
evalm "(b)" "$TMP/drop.gdl" "$TMP/pdrop.tsv"
matched "(b) eval -m report" "$TMP/em.err" 112 122 10 0
# the scores are held in memory: nothing goes to $TMPDIR, and a TMPDIR that does not exist is no
# obstacle; metrics.json names the dataset scored
mkdir -p "$TMP/td"
TMPDIR="$TMP/td" "$GDL" eval -m "$TMP/m.gdl" -d "$TMP/rev.gdl" --tsv "$TMP/etd.tsv" >/dev/null 2>&1 &&
    "$GDL" eval -p "$TMP/prev.tsv" --tsv "$TMP/ep_a.tsv" >/dev/null 2>&1 &&
    same "eval -m with TMPDIR: the same metrics" "$TMP/etd.tsv" "$TMP/ep_a.tsv" || fail "eval -m with TMPDIR"
[ -z "$(ls -A "$TMP/td")" ] && pass "eval -m: nothing written to TMPDIR" || fail "eval -m left $(ls "$TMP/td")"
expect "eval -m with a missing TMPDIR" 0 env TMPDIR="$TMP/no/such" "$GDL" eval -m "$TMP/m.gdl" -d "$TMP/rev.gdl" \
    -o "$TMP/em.json"
"${PYTHON:-/usr/bin/python3}" -c 'import json, sys; assert json.load(open(sys.argv[1]))["file"] == sys.argv[2]' \
    "$TMP/em.json" "$TMP/rev.gdl" && pass "eval -m: metrics.json names the dataset" || fail "eval -m: metrics.json's file"
expect "(b) eval -m --min-overlap 0.91 takes 112 of 122" 0 "$GDL" eval -m "$TMP/m.gdl" -d "$TMP/drop.gdl" \
    --min-overlap 0.91 --tsv "$TMP/em.tsv"
same "(b) eval -m --min-overlap 0.91: the same metrics" "$TMP/ep.tsv" "$TMP/em.tsv"
expect "(b) eval -m --min-overlap 0.95 refuses" 2 "$GDL" eval -m "$TMP/m.gdl" -d "$TMP/drop.gdl" \
    --min-overlap 0.95 -o "$TMP/refused.json"
[ "$(grep -c '^gdl eval: ' "$TMP/err")" -eq 1 ] &&
    grep -qx "gdl eval: .*drop.gdl: 112 of the model's 122 variants (91.8%) are in the dataset, fewer than --min-overlap 0.95 asks; .*" "$TMP/err" &&
    pass "(b) eval refusal: one error line with the counts" || fail "(b) eval refusal: one error line with the counts" "$(cat "$TMP/err")"
[ -s "$TMP/out" ] || [ -e "$TMP/refused.json" ] && fail "(b) eval: no metrics on refusal" || pass "(b) eval: no metrics on refusal"
expect "eval --min-overlap 1.5 is a usage error" 1 "$GDL" eval -m "$TMP/m.gdl" -d "$TMP/rev.gdl" --min-overlap 1.5
contains "eval --min-overlap 1.5 explained" "$TMP/err" "--min-overlap: expected a fraction from 0 to 1, got '1.5'"
expect "eval -p --min-overlap is a usage error" 1 "$GDL" eval -p "$TMP/pa.tsv" --min-overlap 0.5
contains "eval -p --min-overlap explained" "$TMP/err" "--min-overlap goes with -m MODEL -d DATA"

# (c) 5 extra variants (sites the model never saw) are ignored
{ cat "$TMP/hdr" "$TMP/multi" "$TMP/rec"; awk -F'\t' 'BEGIN {OFS = "\t"} NR <= 5 {$2 = $2 + 1; $3 = "x" NR; print}' "$TMP/rec"; } >"$TMP/extra.vcf"
expect "encode the cohort with extra variants" 0 enc extra "$TMP/extra.vcf"
expect "(c) predict it" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/extra.gdl" -o "$TMP/pextra.tsv"
matched "(c) report" "$TMP/err" 122 122 0 5
same "(c) scores equal the training cohort's" "$TMP/pa.tsv" "$TMP/pextra.tsv"

# (d) the multi-allelic record as two biallelic records, C before T
awk -F'\t' 'BEGIN {OFS = "\t"} {for (k = 0; k < 2; k++) { a = k ? "T" : "C"; n = k ? 1 : 2; s = "1\t5\t.\tA\t" a "\t.\tPASS\t.\tGT"
    for (i = 10; i <= NF; i++) { split($i, h, "/"); s = s "\t" (h[1] == n) "/" (h[2] == n) } print s }}' "$TMP/multi" >"$TMP/split"
cat "$TMP/hdr" "$TMP/split" "$TMP/rec" >"$TMP/split.vcf"
expect "encode the split cohort" 0 enc split "$TMP/split.vcf"
expect "(d) predict the split cohort" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/split.gdl" -o "$TMP/psplit.tsv"
matched "(d) report" "$TMP/err" 122 122 0 0
same "(d) scores equal the training cohort's" "$TMP/pa.tsv" "$TMP/psplit.tsv"

# (e) half the samples: the same sites at other frequencies; a missing call still gets the
# training mean, so each sample scores as it did in the training cohort
awk -F'\t' 'NR > 1 && NR % 2 {print $1}' "$P.pheno.tsv" >"$TMP/half"
expect "encode half the samples" 0 enc half "$TMP/a.vcf" -S "$TMP/half"
expect "(e) predict them" 0 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/half.gdl" -o "$TMP/phalf.tsv"
awk -F'\t' 'NR == FNR {want[$1] = 1; next} FNR == 1 || ($1 in want)' "$TMP/half" "$TMP/pa.tsv" >"$TMP/pa_half.tsv"
same "(e) scores equal the training cohort's rows" "$TMP/pa_half.tsv" "$TMP/phalf.tsv"
"$GDL" export --npy "$TMP/npyh" "$TMP/half.gdl" && "$PYTHON" -c "
import numpy as np, sys; x = np.load('$TMP/npyh/input_genotypes.npy'); sys.exit(0 if (x == 255).any(axis=1).sum() >= 5 else 1)" &&
    pass "(e) at least 5 of those samples have missing calls" || fail "(e) at least 5 of those samples have missing calls"

# encodings must match, whether the catalog is the same or not
expect "encode as presence" 0 enc pres "$TMP/a.vcf" --encoding presence
expect "presence cohort refused by a dosage model" 2 "$GDL" predict -m "$TMP/m.gdl" -d "$TMP/pres.gdl" -o "$TMP/x.tsv"
contains "encoding refusal says what to do" "$TMP/err" "genotypes encoded as presence, the model was trained on dosage: encode the cohort with --encoding dosage"
expect "encode reversed as presence" 0 enc prev "$TMP/rev.vcf" --encoding presence
expect "reversed presence cohort refused" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/prev.gdl" -o "$TMP/x.tsv"
contains "attribute's encoding refusal" "$TMP/err" "genotypes encoded as presence, the model was trained on dosage"

# a model file from before models kept their variants: the catalog hash only
"$PYTHON" - "$py" "$TMP/m.gdl" "$TMP/old.gdl" <<'PY' && pass "old-style model written" || fail "old-style model written"
import json, struct, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
t, meta = read_gdl(sys.argv[2])
meta.pop("input:genotypes.encoding")
keep = [(k, v) for k, v in t.items() if k.startswith(("param:", "state:"))]
header, data = {"__metadata__": meta}, b""
for k, v in keep:
    raw = np.ascontiguousarray(v).tobytes()
    header[k] = {"dtype": {"f": "F32"}[v.dtype.kind], "shape": list(v.shape), "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[3], "wb").write(struct.pack("<Q", len(h)) + h + data)
PY
expect "old-style model on the training cohort" 0 "$GDL" predict -m "$TMP/old.gdl" -d "$TMP/a.gdl" -o "$TMP/pold.tsv"
same "old-style model scores as before" "$TMP/pa.tsv" "$TMP/pold.tsv"
expect "old-style model refuses the reversed cohort" 2 "$GDL" predict -m "$TMP/old.gdl" -d "$TMP/rev.gdl" -o "$TMP/x.tsv"
contains "old-style refusal" "$TMP/err" "the variant catalog differs from the model's"
finish
