# Every config in configs/ builds on data of its kind, trains a few epochs and its training
# loss falls; deepsea.json fits sequences of other lengths and target counts unchanged.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
cfgs="$(dirname "$0")/../../configs"
T=$TMP

# genotypes
"$GDL" simulate genotypes -q -o "$T/g" -n 200 -m 400 -k 6 -p 1 -s 5 &&
    "$GDL" encode -q "$T/g.vcf.gz" --maf 0.01 --pheno "$T/g.pheno.tsv" --pheno-col disease -o "$T/geno.gdl" ||
    fail "genotype data"
"$GDL" encode -q "$T/g.vcf.gz" --maf 0.01 --genes "$T/g.genes.bed" --pheno "$T/g.pheno.tsv" --pheno-col disease \
    -o "$T/geno_genes.gdl" || fail "genotype data with genes"
# sequences: two planted motifs = two binary targets
"$GDL" simulate sequences -q -o "$T/s" --n 96 --length 200 --motif TGACTCAT --motif CACGTG --fraction 0.5 --seed 3 &&
    "$GDL" encode -q "$T/s.fa" -l "$T/s.labels.tsv" -o "$T/seq.gdl" || fail "sequence data"
# center base: flanks of 20 around every 7th position of the simulated sequences as a genome
"$GDL" encode -q --task center-base --ref "$T/s.fa" --flank 20 --stride 7 -o "$T/center.gdl" || fail "center-base data"
# expression: 3 histone marks x 20 bins + the DNA of the same 96 genes, a regression label
"$PYTHON" - "$T" <<'PY' || fail "expression data"
import sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
ids = [l[1:].split()[0] for l in open(d + "/s.fa") if l.startswith(">")]
marks = rng.normal(size=(len(ids), 3, 20))
labels = [int(l.split("\t")[1]) for l in open(d + "/s.labels.tsv").read().splitlines()[1:]]
expr = 2 * marks[:, 0, 8:12].mean(axis=1) + np.array(labels) + rng.normal(scale=0.1, size=len(ids))
with open(d + "/hm.tsv", "w") as f:
    f.write("id" + "".join("\tm%d" % i for i in range(60)) + "\n")
    for i, row in zip(ids, marks.reshape(len(ids), -1)):
        f.write(i + "".join("\t%.5f" % v for v in row) + "\n")
with open(d + "/expr.tsv", "w") as f:
    f.write("id\texpression\n" + "".join("%s\t%.5f\n" % (i, v) for i, v in zip(ids, expr)))
# the study's shape: 5 marks x 100 bins (expression-study.json's valid convolutions need >= 34)
wide = np.repeat(marks, 5, axis=2)[:, [0, 1, 2, 0, 1], :]
with open(d + "/hm100.tsv", "w") as f:
    f.write("id" + "".join("\tm%d" % i for i in range(500)) + "\n")
    for i, row in zip(ids, wide.reshape(len(ids), -1)):
        f.write(i + "".join("\t%.5f" % v for v in row) + "\n")
PY
"$GDL" encode -q "$T/hm.tsv" --shape 3,20 -n hm -l "$T/expr.tsv" -o "$T/hm.gdl" &&
    "$GDL" encode -q "$T/s.fa" -o "$T/dna.gdl" &&
    "$GDL" join -q "$T/hm.gdl" "$T/dna.gdl" -o "$T/expr.gdl" || fail "expression join"
"$GDL" encode -q "$T/hm100.tsv" --shape 5,100 -n hm -l "$T/expr.tsv" -o "$T/hm100.gdl" &&
    "$GDL" join -q "$T/hm100.gdl" "$T/dna.gdl" -o "$T/expr100.gdl" || fail "expression join, 100 bins"

# falls LOG: the last epoch's training loss is below the first's
falls() {
    awk -F '\t' 'NR == 2 { first = $3 } NR > 1 { last = $3 } END { exit !(NR > 2 && last < first) }' "$1"
}

check() { # config data epochs batch
    expect "$1 trains on $(basename "$2" .gdl)" 0 "$GDL" train -q -c "$cfgs/$1.json" -d "$2" -o "$T/$1.gdl" \
        --epochs "$3" --batch "$4" --val-frac 0 --patience 0 --log "$T/$1.log"
    if falls "$T/$1.log"; then pass "$1 on $(basename "$2" .gdl): training loss falls"
    else fail "$1 on $(basename "$2" .gdl): training loss falls" "$(cut -f1,3 "$T/$1.log" | tr '\n' ' ')"; fi
}
# the wide & deep genotype configs start from their linear layer fitted by coordinate descent
# (training.linear_by_cd), the deep part at zero: the deep part trains every epoch and the loss
# never climbs above its first epoch's (learn_genotype.sh checks what they learn)
check_wide() { # config data epochs batch
    expect "$1 trains on $(basename "$2" .gdl)" 0 "$GDL" train -c "$cfgs/$1.json" -d "$2" -o "$T/$1.gdl" \
        --epochs "$3" --batch "$4" --val-frac 0 --patience 0 --log "$T/$1.log"
    contains "$1: the linear layer fitted first" "$T/err" "linear_by_cd: layer 'linear' fitted"
    if awk -F '\t' -v e="$3" 'NR == 2 { first = $3 } NR > 1 { n++; if ($3 > first + 0.002) bad = 1 }
        END { exit !(n == e && !bad) }' "$T/$1.log"; then pass "$1: $3 epochs, the loss never above the first's"
    else fail "$1: $3 epochs, the loss never above the first's" "$(cut -f1,3 "$T/$1.log" | tr '\n' ' ')"; fi
}
check_wide genotype-mlp "$T/geno.gdl" 5 32
check simple-cnn "$T/seq.gdl" 4 16
check position-cnn "$T/seq.gdl" 4 16
check position-cnn "$T/center.gdl" 4 64
check_wide genotype-cnn-rnn "$T/geno.gdl" 4 32
check_wide genotype-gene "$T/geno_genes.gdl" 5 32
check deepsea "$T/seq.gdl" 3 32
check danq "$T/seq.gdl" 3 32
check basset "$T/seq.gdl" 3 32
check resnet-attention "$T/seq.gdl" 4 32
check center-base "$T/center.gdl" 4 64
check center-base-mlp "$T/center.gdl" 4 64
check center-base-cnn "$T/center.gdl" 4 64
check expression-two-branch "$T/expr.gdl" 6 16
check expression-study "$T/expr100.gdl" 6 16

# trace (LRP) runs through every shipped model (recurrent, attention, layer norm, concat, gene and
# residual layers included) and gives finite relevance, not all zero
finite() {
    case "$1" in
    *.npy) "$PYTHON" -c 'import sys, numpy as np; a = np.load(sys.argv[1]); sys.exit(not (np.isfinite(a).all() and np.abs(a).sum() > 0))' "$1" ;;
    *) awk -F'\t' 'NR > 1 {if ($6 !~ /^[0-9.e+-]+$/) bad = 1; if ($6 > 0) pos = 1} END {exit bad || !pos}' "$1" ;;
    esac
}
trace() { # config data options output
    expect "trace through $1" 0 "$GDL" attribute -q -m "$T/$1.gdl" -d "$2" --method trace $3 -o "$T/$1.$4"
    [ -e "$T/$1.$4" ] && finite "$T/$1.$4" && pass "$1: finite trace" || fail "$1: finite trace"
}
trace genotype-mlp "$T/geno.gdl" "" tsv
trace genotype-cnn-rnn "$T/geno.gdl" "" tsv
trace genotype-gene "$T/geno_genes.gdl" "" tsv
for c in simple-cnn deepsea danq basset resnet-attention; do trace $c "$T/seq.gdl" "--target motif_1" npy; done
trace center-base "$T/center.gdl" "--class 0" npy
trace expression-two-branch "$T/expr.gdl" "--input dna" npy

# one config, other shapes: 300-bp sequences with one target
"$GDL" simulate sequences -q -o "$T/t" --n 32 --length 300 --motif GATA --seed 9 &&
    "$GDL" encode -q "$T/t.fa" -l "$T/t.labels.tsv" -o "$T/t.gdl" || fail "300-bp data"
expect "deepsea.json on 300 bp, 1 target" 0 "$GDL" train -q -c "$cfgs/deepsea.json" -d "$T/t.gdl" -o "$T/t.m.gdl" --epochs 1
"$GDL" inspect "$T/t.m.gdl" >"$T/inspect"
contains "its output has 1 unit" "$T/inspect" "$(printf 'tensor\tparam:logits.weight\tF32\t1x925')"
"$GDL" inspect "$T/deepsea.gdl" >"$T/deepsea.inspect"
contains "deepsea on 2 targets has 2 output units" "$T/deepsea.inspect" "$(printf 'tensor\tparam:logits.weight\tF32\t2x925')"
contains "the model records its config" "$T/deepsea.inspect" "meta	gdl.config	"
contains "the model records its input shape" "$T/deepsea.inspect" "$(printf 'meta\tgdl.input:dna\t4x200')"

# DeepSEA's 919 targets: a labels file that wide encodes, trains and predicts
awk 'BEGIN { srand(3); printf "id"; for (t = 0; t < 919; t++) printf "\tt%d", t; print "" }
     /^>/ { printf "%s", substr($1, 2); for (t = 0; t < 919; t++) printf "\t%d", rand() < 0.3; print "" }' \
    "$T/s.fa" >"$T/t919.tsv"
expect "encode 919 targets" 0 "$GDL" encode -q "$T/s.fa" -l "$T/t919.tsv" -o "$T/t919.gdl"
expect "train on 919 targets" 0 "$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/t919.gdl" -o "$T/t919.m.gdl" --epochs 1
"$GDL" inspect "$T/t919.m.gdl" >"$T/t919.inspect"
contains "919 output units" "$T/t919.inspect" "$(printf 'tensor\tparam:logits.weight\tF32\t919x32')"
expect "predict 919 targets" 0 "$GDL" predict -m "$T/t919.m.gdl" -d "$T/t919.gdl" -o "$T/t919.pred.tsv"
[ "$(head -1 "$T/t919.pred.tsv" | awk -F '\t' '{ print NF }')" = 1839 ] && pass "1 + 2 x 919 prediction columns" ||
    fail "prediction columns"

# the reverse complement of a sequence lands in the same fold
"$GDL" encode -q "$T/s.fa" -l "$T/s.labels.tsv" --rc -o "$T/rc.gdl" || fail "rc data"
expect "CV on reverse-complemented data" 0 "$GDL" train -q -c "$cfgs/resnet-attention.json" -d "$T/rc.gdl" \
    -o "$T/rc.m.gdl" --folds 3 --epochs 1 --folds-out "$T/rc.folds"
awk -F '\t' 'NR > 1 { id = $1; sub(/:rc$/, "", id); if (id in f && f[id] != $2) bad++; f[id] = $2 }
    END { exit bad > 0 }' "$T/rc.folds" && pass "a sequence and its reverse complement share a fold" ||
    fail "reverse complements split across folds"
grep -c ':rc' "$T/rc.folds" | grep -q '^96$' && pass "folds file lists the complements" || fail "rc rows missing"

# --split-by chrom: the center-base examples of one contig all land in one fold
expect "CV split by chromosome" 0 "$GDL" train -q -c "$cfgs/center-base.json" -d "$T/center.gdl" -o "$T/cb.gdl" \
    --folds 3 --split-by chrom --epochs 1 --folds-out "$T/cb.folds"
awk -F '\t' 'NR > 1 { c = $1; sub(/:[0-9]+$/, "", c); if (c in f && f[c] != $2) bad++; f[c] = $2; n[$2]++ }
    END { exit bad > 0 || length(n) != 3 }' "$T/cb.folds" && pass "each contig in one fold, 3 folds used" ||
    fail "contigs split across folds"
expect "--split-by chrom without chromosomes" 2 "$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/seq.gdl" \
    -o "$T/x.gdl" --folds 3 --split-by chrom
contains "says why" "$T/err" "no chromosome per example"
expect "--split-by something else" 1 "$GDL" train -c "$cfgs/simple-cnn.json" -d "$T/seq.gdl" -o "$T/x.gdl" \
    --folds 3 --split-by gene
finish
