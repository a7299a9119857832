# The gene layer (configs/genotype-gene.json): on a simulated cohort with genes from its BED,
# 5-fold cross-validation learns the planted signal and a label-permuted copy stays near 0.5;
# gdl inspect --genes names each unit's gene; the model file alone predicts; trace ranks the
# planted variants and genes first; unassigned=drop is logged; a cohort without genes and a model
# without a gene layer are refused.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
root="$(dirname "$0")/../.."
cfg="$root/configs/genotype-gene.json"

auc() {
    "$GDL" eval -q -p "$1" -o - 2>/dev/null | "$PYTHON" -c 'import json, sys; t = json.load(sys.stdin)["targets"]; print("%.4f" % next(iter(t.values()))["roc_auc"])'
}
above() { "$PYTHON" -c "import sys; sys.exit(0 if $1 > $2 else 1)"; }

"$GDL" simulate genotypes -q -o "$TMP/sim" -n 1000 -m 1000 -k 8 -p 0 -s 42 || fail "simulate"
# the disease column permuted (a fixed stride through the rows), the other columns kept
awk 'BEGIN { FS = OFS = "\t" } NR == 1 { print; next } { id[NR] = $1; d[NR] = $2; t[NR] = $3 }
     END { for (i = 2; i <= NR; i++) print id[i], d[(i * 7919) % (NR - 1) + 2], t[i] }' \
    "$TMP/sim.pheno.tsv" >"$TMP/perm.pheno.tsv"
for kind in sim perm; do
    "$GDL" encode -q "$TMP/sim.vcf.gz" --maf 0.01 --genes "$TMP/sim.genes.bed" --pheno "$TMP/$kind.pheno.tsv" \
        --pheno-col disease -o "$TMP/$kind.gdl" || fail "encode $kind"
done
expect "train genotype-gene.json --folds 5" 0 "$GDL" train -c "$cfg" -d "$TMP/sim.gdl" -o "$TMP/m.gdl" \
    --folds 5 --refit --oof "$TMP/oof.tsv"
contains "the shared group is logged" "$TMP/err" "variants in no gene, sharing one unit group"
a=$(auc "$TMP/oof.tsv")
# measured 0.6886 (L1 logistic regression on the same folds: see README, Gene layers)
above "$a" 0.62 && pass "planted signal: OOF AUC $a > 0.62" || fail "planted signal: OOF AUC $a"
expect "train on permuted labels" 0 "$GDL" train -q -c "$cfg" -d "$TMP/perm.gdl" -o "$TMP/p.gdl" --folds 5 \
    --oof "$TMP/poof.tsv"
p=$(auc "$TMP/poof.tsv")
above "$p" 0.38 && above 0.58 "$p" && above "$a" "$p + 0.08" && pass "permuted labels: OOF AUC $p near 0.5, below $a" ||
    fail "permuted labels: OOF AUC $p (real $a)"

# one row per unit, the genes of the catalog in order of appearance, the variants adding up
expect "inspect --genes" 0 "$GDL" inspect --genes "$TMP/m.gdl"
cp "$TMP/out" "$TMP/genes.tsv"
"$GDL" inspect --catalog "$TMP/sim.gdl" >"$TMP/catalog.tsv"
"$PYTHON" - "$TMP/genes.tsv" "$TMP/catalog.tsv" <<'PY' && pass "inspect --genes: a unit per gene, as the catalog says" || fail "inspect --genes rows"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
assert rows[0] == ["layer", "unit", "group", "gene", "variants"], rows[0]
cat = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])][1:]
order, count = [], {}
for r in cat:
    g = r[7]
    if g not in count: order.append(g); count[g] = 0
    count[g] += 1
want = [g for g in order if g != "."] + (["."] if "." in count else [])
got = [r[3] for r in rows[1:]]
assert got == want, (got[:5], want[:5])
assert all(int(r[4]) == count[r[3]] for r in rows[1:])
assert [int(r[1]) for r in rows[1:]] == list(range(len(want)))
PY

# the model file alone predicts what the cross-validation's refit would: same scores twice
expect "predict with the gene model" 0 "$GDL" predict -q -m "$TMP/m.gdl" -d "$TMP/sim.gdl" -o "$TMP/pred.tsv"
expect "predict again, 2 threads" 0 "$GDL" predict -q -@ 2 -m "$TMP/m.gdl" -d "$TMP/sim.gdl" -o "$TMP/pred2.tsv"
same "predictions at 1 and 2 threads" "$TMP/pred.tsv" "$TMP/pred2.tsv"
lines "a prediction per sample" "$TMP/pred.tsv" 1001
# training at 2 threads makes the same model as at 1: its predictions are the same bytes
for t in 1 2; do
    "$GDL" train -q -@ $t -c "$cfg" -d "$TMP/sim.gdl" -o "$TMP/t$t.gdl" --epochs 3 --patience 0 &&
        "$GDL" predict -q -m "$TMP/t$t.gdl" -d "$TMP/sim.gdl" -o "$TMP/t$t.tsv" || fail "train at $t threads"
done
same "trained at 1 and 2 threads: same predictions" "$TMP/t1.tsv" "$TMP/t2.tsv"
expect "attribute --level gene" 0 "$GDL" attribute -q -m "$TMP/m.gdl" -d "$TMP/sim.gdl" --level gene -o "$TMP/g.tsv"

# trace (LRP) through the gene layer ranks the planted variants and their genes first: on the
# wide and deep model, and on its gene path alone (gene_dense, tanh, dense: all the relevance
# passes the gene layer's rule)
# planted TABLE COL N: how many of the first N rows name a planted variant (COL 2) or gene (COL 5)
planted() {
    awk -F'\t' -v col="$2" -v n="$3" 'NR == FNR {if (FNR > 1) p[$col] = 1; next}
        FNR > 1 && FNR <= n + 1 && ($2 in p) {k++} END {print k + 0}' "$TMP/sim.truth.tsv" "$1"
}
grep -v '"name": "linear"\|"name": "logits"' "$cfg" |
    sed 's/"name": "deep"/"name": "logits"/; s/"units": "outputs"},/"units": "outputs"}/
         s/ "l1_ratio": \[[0-9., ]*\], "l1_path_folds": 5,//; s/"linear_by_cd": "linear", "early_stop": "loss"/"early_stop": "metric"/' \
        >"$TMP/deep.json"
grep -q '"linear_by_cd":' "$TMP/deep.json" && fail "the gene path's config still names the linear layer"
expect "train the gene path alone" 0 "$GDL" train -q -c "$TMP/deep.json" -d "$TMP/sim.gdl" -o "$TMP/deep.gdl"
# measured: all 8 planted variants and genes ranked 1-8 (wide and deep); the gene path alone
# learns 5 of them, ranked 1-4 and 8 (gradxinput: 1, 2, 5, 7, 27)
for run in "m 7 7" "deep 4 4"; do
    set -- $run
    expect "$1: attribute --method trace" 0 "$GDL" attribute -q -m "$TMP/$1.gdl" -d "$TMP/sim.gdl" --method trace \
        -o "$TMP/$1.trace.tsv"
    expect "$1: trace --level gene" 0 "$GDL" attribute -q -m "$TMP/$1.gdl" -d "$TMP/sim.gdl" --method trace \
        --level gene -o "$TMP/$1.trace_genes.tsv"
    v=$(planted "$TMP/$1.trace.tsv" 2 10) g=$(planted "$TMP/$1.trace_genes.tsv" 5 10)
    [ "$v" -ge "$2" ] && pass "$1: trace ranks $v planted variants in the top 10" ||
        fail "$1: trace ranks $v planted variants in the top 10, expected $2" "$(head -11 "$TMP/$1.trace.tsv")"
    [ "$g" -ge "$3" ] && pass "$1: trace ranks $g planted genes in the top 10" ||
        fail "$1: trace ranks $g planted genes in the top 10, expected $3" "$(head -11 "$TMP/$1.trace_genes.tsv")"
done

# unassigned=drop, dense input: the count of dropped variants on stderr, one unit group fewer
sed 's/"unassigned": "shared"/"unassigned": "drop"/; s/"sparse": true/"sparse": false/; s/"type": "sparse_dense"/"type": "dense"/' "$cfg" >"$TMP/drop.json"
expect "train unassigned=drop" 0 "$GDL" train -c "$TMP/drop.json" -d "$TMP/sim.gdl" -o "$TMP/d.gdl" --epochs 2
n_none=$(awk -F'\t' 'NR > 1 && $8 == "."' "$TMP/catalog.tsv" | wc -l | tr -d ' ')
m=$(($(wc -l <"$TMP/catalog.tsv") - 1)) # 688 after --maf: no thousands separator
contains "dropped variants counted" "$TMP/err" "gene layer 'genes': $n_none of $m variants in no gene, dropped"
"$GDL" inspect --genes "$TMP/d.gdl" >"$TMP/dgenes.tsv"
[ "$n_none" -gt 0 ] && ! grep -q '	\.	' "$TMP/dgenes.tsv" &&
    [ $(($(wc -l <"$TMP/dgenes.tsv") + 1)) -eq "$(wc -l <"$TMP/genes.tsv")" ] && pass "drop: no shared group" || fail "drop: groups"

# refused: a cohort encoded without genes (exit 2, no model), a dataset or an MLP for --genes
"$GDL" encode -q "$TMP/sim.vcf.gz" --maf 0.01 --pheno "$TMP/sim.pheno.tsv" --pheno-col disease -o "$TMP/nogenes.gdl"
expect "no genes in the catalog" 2 "$GDL" train -q -c "$cfg" -d "$TMP/nogenes.gdl" -o "$TMP/x.gdl"
contains "no genes: the fix is named" "$TMP/err" "encode the cohort with --genes"
[ ! -e "$TMP/x.gdl" ] && pass "no genes: no model written" || fail "no genes: a model was written"
expect "inspect --genes on a dataset" 2 "$GDL" inspect --genes "$TMP/sim.gdl"
expect "inspect --genes with --catalog" 1 "$GDL" inspect --genes --catalog "$TMP/m.gdl"

# a variant in more genes than its 511-byte list holds: whole names kept, the rest
# counted in a warning (this read past the list before); a name that is the start of a later
# one ("g1" of "g10") is still listed once each
set -- $(awk -F'\t' 'NR == 2 {print $2, $3; exit}' "$TMP/catalog.tsv")
awk -v c="$1" -v p="$2" 'BEGIN { OFS = "\t"
    for (i = 1; i <= 40; i++) print c, p - 2, p + 2, sprintf("overlapping_gene_%02d_with_a_long_name", i)
    print c, p - 1, p, "g1"; print c, p - 1, p, "g10"; print c, p - 1, p, "g1" }' >"$TMP/many.bed"
expect "encode --genes with 43 genes on one variant" 0 "$GDL" encode "$TMP/sim.vcf.gz" --maf 0.01 \
    --genes "$TMP/many.bed" --pheno "$TMP/sim.pheno.tsv" --pheno-col disease -o "$TMP/many.gdl"
contains "cut gene lists counted" "$TMP/err" "1 variants lie in more genes than their 511-byte gene list holds"
"$GDL" inspect --catalog "$TMP/many.gdl" | awk -F'\t' 'NR == 2 {print $8}' >"$TMP/many.genes"
"$PYTHON" - "$TMP/many.genes" <<'PY' && pass "cut gene list: whole names, each once, within 511 bytes" || fail "cut gene list" "$(cat "$TMP/many.genes")"
import sys
got = open(sys.argv[1]).read().strip()
names = sorted(["overlapping_gene_%02d_with_a_long_name" % i for i in range(1, 41)] + ["g1", "g10"])
assert 0 < len(got) <= 511 and len(got) + 40 > 511, len(got)
parts = got.split(",")
assert len(set(parts)) == len(parts) and all(p in names for p in parts), parts
assert "g1" in parts and "g10" in parts, parts
PY
finish
