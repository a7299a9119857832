# Chromosome splits of a centre-base dataset (the k-mer count model: it trains in one pass):
# - --split-by chrom with 2, 3 and 25 chromosomes: every chromosome in one fold, every fold used;
#   with too few training chromosomes to hold whole ones out, validation is drawn from within them
#   (said on stderr), with 25 it holds whole chromosomes out; more folds than chromosomes refused;
# - --test-chrom / --train-chrom (the centre-base study's "train on one chromosome, test on the
#   rest"): the model is the one trained on a dataset of the training chromosomes alone (same
#   predictions on the test chromosome), --oof holds exactly the test chromosomes' examples and
#   the held-out metric on stderr is theirs; bad lists are refused naming the chromosome.
. "$(dirname "$0")/lib.sh"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
"$PYTHON" - "$T" <<'PY' || fail "genomes"
import random, sys
d = sys.argv[1]
rng = random.Random(9)
B = "ACGT"
follow = {a + b: rng.choice(B) for a in B for b in B}  # each 2-base context prefers one base
def chrom(n):
    s = [rng.choice(B), rng.choice(B)]
    while len(s) < n:
        s.append(follow[s[-2] + s[-1]] if rng.random() < 0.6 else rng.choice(B))
    return "".join(s)
for count, n in ((2, 1500), (3, 1500), (25, 240)):
    seqs = [chrom(n) for _ in range(count)]
    with open(f"{d}/g{count}.fa", "w") as f:
        for i, s in enumerate(seqs):
            f.write(f">chr{i + 1}\n{s}\n")
    if count == 3:
        with open(f"{d}/g3.train.fa", "w") as f:
            f.write(f">chr1\n{seqs[0]}\n>chr2\n{seqs[1]}\n")
PY
sed 's/"k": 5/"k": 2/' "$cfgs/center-base-kmer.json" >"$T/k2.json"
for g in g2 g3 g25 g3.train; do
    "$GDL" encode -q --task center-base --ref "$T/$g.fa" --flank 3 --stride 1 -o "$T/$g.gdl" || fail "encode $g"
done

# folds_ok NAME FILE K: every chromosome in one fold, K folds used
folds_ok() {
    awk -F '\t' -v k="$3" 'NR > 1 { c = $1; sub(/:[0-9]+$/, "", c); if (c in f && f[c] != $2) bad++; f[c] = $2; n[$2]++ }
        END { exit bad > 0 || length(n) != k }' "$2" && pass "$1" || fail "$1" "chromosomes split or folds unused: $2"
}
expect "2 chromosomes, 2 folds" 0 "$GDL" train -c "$T/k2.json" -d "$T/g2.gdl" -o "$T/m2.gdl" --folds 2 \
    --split-by chrom --folds-out "$T/f2.tsv"
folds_ok "2 chromosomes: one a fold" "$T/f2.tsv" 2
contains "2 chromosomes: validation from within the training one" "$T/err" "the validation examples are drawn from within it"
expect "3 chromosomes, 3 folds" 0 "$GDL" train -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/m3.gdl" --folds 3 \
    --split-by chrom --folds-out "$T/f3.tsv"
folds_ok "3 chromosomes: one a fold" "$T/f3.tsv" 3
contains "3 chromosomes: validation from within the training two" "$T/err" "2 groups (chromosomes or --groups values) cannot give whole"
expect "25 chromosomes, 5 folds" 0 "$GDL" train -c "$T/k2.json" -d "$T/g25.gdl" -o "$T/m25.gdl" --folds 5 \
    --split-by chrom --folds-out "$T/f25.tsv"
folds_ok "25 chromosomes: each in one fold, 5 folds" "$T/f25.tsv" 5
if grep -q "drawn from within" "$T/err"; then fail "25 chromosomes: validation holds whole chromosomes out"
else pass "25 chromosomes: validation holds whole chromosomes out"; fi
expect "3 chromosomes cannot fill 4 folds" 2 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/x.gdl" --folds 4 \
    --split-by chrom
contains "says how many" "$T/err" "3 groups cannot fill 4 folds"

# train on chr1 and chr2, test on chr3
expect "--test-chrom chr3" 0 "$GDL" train -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/t3.gdl" --test-chrom chr3 \
    --val-frac 0 --oof "$T/t3.oof.tsv"
cp "$T/err" "$T/t3.err"
contains "--test-chrom: the split on stderr" "$T/t3.err" "training on 2988 examples (every other chromosome), testing on 1494 (chr3)"
awk -F '\t' 'NR > 1 && $1 !~ /^chr3:/ { bad++ } END { exit bad > 0 || NR != 1495 }' "$T/t3.oof.tsv" &&
    pass "--oof: exactly chr3's examples" || fail "--oof: exactly chr3's examples" "$(head -3 "$T/t3.oof.tsv")"
expect "--train-chrom chr1,chr2 --test-chrom chr3" 0 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/t3b.gdl" \
    --train-chrom chr1,chr2 --test-chrom chr3 --val-frac 0
"$GDL" train -q -c "$T/k2.json" -d "$T/g3.train.gdl" -o "$T/alone.gdl" --val-frac 0 &&
    for m in t3 t3b alone; do "$GDL" predict -q -m "$T/$m.gdl" -d "$T/g3.gdl" -o "$T/$m.pred.tsv" || fail "predict $m"; done
same "--test-chrom's model = one trained on chr1 and chr2 alone" "$T/t3.pred.tsv" "$T/alone.pred.tsv"
same "--train-chrom chr1,chr2 = every other chromosome" "$T/t3b.pred.tsv" "$T/alone.pred.tsv"
"$PYTHON" - "$T/t3.oof.tsv" "$T/t3.pred.tsv" "$T/t3.err" <<'PY' && pass "--oof scores and the held-out accuracy are the model's on chr3" ||
import re, sys
def table(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
oof, pred = table(sys.argv[1]), table(sys.argv[2])
cols = ["base:score:" + b for b in "ACGT"]
hits = 0
for id, o in oof.items():
    p = pred[id]
    assert all(abs(float(o[c]) - float(p[c])) < 1e-6 for c in cols), id
    scores = [float(p[c]) for c in cols]
    hits += "ACGT"[scores.index(max(scores))] == p["base:label"]
acc = float(re.search(r"test chromosomes chr3: accuracy ([0-9.]+)", open(sys.argv[3]).read()).group(1))
assert abs(acc - hits / len(oof)) < 1e-4, (acc, hits / len(oof))
assert acc > 0.5, acc  # the 2-base contexts carry the signal (0.25 by chance)
PY
fail "--oof or the held-out accuracy is not the model's on chr3"
expect "--test-chrom of a chromosome the data lacks" 2 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/x.gdl" \
    --test-chrom chr9
contains "names it and the ones there are" "$T/err" "g3.gdl: --test-chrom: chromosome 'chr9' has no examples (the dataset has chr1, chr2, chr3)"
expect "a chromosome in both lists" 2 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/x.gdl" \
    --test-chrom chr3 --train-chrom chr1,chr3
contains "says so" "$T/err" "chromosome 'chr3' is in both"
expect "--test-chrom with --folds" 1 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/x.gdl" --test-chrom chr3 \
    --folds 3
expect "--train-chrom alone" 1 "$GDL" train -q -c "$T/k2.json" -d "$T/g3.gdl" -o "$T/x.gdl" --train-chrom chr1
[ ! -e "$T/x.gdl" ] && pass "nothing written by the refused runs" || fail "a refused run wrote a model"
finish
