# Strand and one-hot order. gdl predict --rc scores every example as the mean of it and its
# reverse complement: the score of a sequence equals the score of its reverse complement, and
# each equals the mean of the two plain predictions. gdl encode --order 2 makes the
# dinucleotide one-hot, checked base by base in Python against the FASTA.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
awk '/^>/ { n++ } n <= 150' "$data/motifs.fa" >"$T/m.fa"
"$GDL" encode -q "$T/m.fa" -l "$data/motifs.labels.tsv" --rc -o "$T/m.gdl" || fail "encode motifs with --rc"
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m.gdl" -o "$T/m.model.gdl" --epochs 2 || fail "train simple-cnn"
expect "predict" 0 "$GDL" predict -m "$T/m.model.gdl" -d "$T/m.gdl" -o "$T/plain.tsv"
expect "predict --rc" 0 "$GDL" predict --rc -m "$T/m.model.gdl" -d "$T/m.gdl" -o "$T/rc.tsv"
expect "predict --rc --batch 1" 0 "$GDL" predict --rc --batch 1 -m "$T/m.model.gdl" -d "$T/m.gdl" -o "$T/rc1.tsv"
"$PYTHON" - "$T/plain.tsv" "$T/rc1.tsv" "$T/rc.tsv" <<'PY' && pass "--rc: a sequence and its reverse complement score alike, the mean of both strands" || fail "--rc scores"
import sys
def read(p):
    rows = [l.rstrip("\n").split("\t") for l in open(p)]
    head = rows[0]
    cols = [i for i, h in enumerate(head) if ":score" in h]
    return {r[0]: [float(r[i]) for i in cols] for r in rows[1:]}
# one example per pass: the two strands see the same arithmetic, so their scores are identical;
# in larger batches a row's position changes the last bits of BLAS sums (1e-8)
plain, rc, batched = read(sys.argv[1]), read(sys.argv[2]), read(sys.argv[3])
fwd = [k for k in rc if not k.endswith(":rc")]
assert len(fwd) == 150 and len(rc) == 300, (len(fwd), len(rc))
differ = 0
for k in fwd:
    r = k + ":rc"
    assert rc[k] == rc[r], (k, rc[k], rc[r])                       # identical, not close
    assert all(abs(a - b) < 1e-6 for a, b in zip(batched[k], batched[r])), (k, batched[k], batched[r])
    for a, b, s in zip(plain[k], plain[r], rc[k]):
        assert abs(s - (a + b) / 2) < 1e-6, (k, a, b, s)
        differ += abs(a - b) > 1e-4
assert differ > 20, differ  # the plain model is not strand-symmetric, so the test means something
PY
"$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/g.gdl" &&
"$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/g.gdl" -o "$T/g.model.gdl" --epochs 1
if [ -f "$T/g.model.gdl" ]; then
    expect "--rc on a genotype model: exit 2" 2 "$GDL" predict --rc -m "$T/g.model.gdl" -d "$T/g.gdl" -o "$T/g.tsv"
    contains "--rc error names the model" "$T/err" "g.model.gdl: --rc: the model reads no DNA sequence input"
    [ ! -e "$T/g.tsv" ] && pass "--rc error leaves no output" || fail "--rc error left $T/g.tsv"
else
    fail "train a genotype model for the --rc refusal"
fi

# order 2: 16 channels, channel 4a+b = pair (a, b) at (l, l+1); N and the last position empty
printf '>s1\nACGTTGCAAN\n>s2\nnnGGCCATAT\n>s3\nTTTTACGTAC\n' >"$T/o.fa"
expect "encode --order 2" 0 "$GDL" encode "$T/o.fa" --order 2 -o "$T/o2.gdl"
expect "export the order-2 dataset" 0 "$GDL" export "$T/o2.gdl" --npy "$T/o2"
"$PYTHON" - "$T/o.fa" "$T/o2/input_dna.npy" <<'PY' && pass "--order 2: dinucleotide one-hot equals the FASTA's pairs" || fail "--order 2 values"
import sys
import numpy as np
seqs = [l.strip().upper() for l in open(sys.argv[1]) if not l.startswith(">")]
x = np.load(sys.argv[2])
assert x.shape == (3, 16, 10), x.shape
want = np.zeros_like(x)
for n, s in enumerate(seqs):
    for l in range(len(s) - 1):
        a, b = s[l], s[l + 1]
        if a in "ACGT" and b in "ACGT":
            want[n, 4 * "ACGT".index(a) + "ACGT".index(b), l] = 1
assert (x == want).all()
assert want.sum() == 8 + 7 + 9
PY
# an order-2 model trains, and gdl vep reads its 16-channel windows as gdl predict does
"$GDL" encode -q "$T/m.fa" -l "$data/motifs.labels.tsv" --order 2 -o "$T/m2.gdl" &&
    "$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m2.gdl" -o "$T/m2.model.gdl" --epochs 2 || fail "train on order 2"
printf '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n' >"$T/b.vcf"
awk '/^>seq2$/ { on = 1; next } /^>/ { on = 0 } on { s = s $0 } END { b = substr(s, 151, 1); print "seq2\t151\tx\t" b "\t" (b == "A" ? "C" : "A") "\t.\t.\t." }' \
    "$T/m.fa" >>"$T/b.vcf"
expect "vep with an order-2 model" 0 "$GDL" vep --batch 1 -m "$T/m2.model.gdl" -i "$T/b.vcf" --ref "$T/m.fa" -o "$T/b.tsv" --windows "$T/b.fa"
"$GDL" encode -q "$T/b.fa" --order 2 -o "$T/b.gdl" && "$GDL" predict -q --batch 2 -m "$T/m2.model.gdl" -d "$T/b.gdl" -o "$T/b.pred.tsv" ||
    fail "predict the order-2 windows"
ref=$(awk -F '\t' 'NR == 2 { print $7 }' "$T/b.tsv") alt=$(awk -F '\t' 'NR == 2 { print $8 }' "$T/b.tsv")
want=$(awk -F '\t' 'NR == 2 { r = $3 } NR == 3 { a = $3 } END { printf "%.6g %.6g", r, a }' "$T/b.pred.tsv")
[ "$ref $alt" = "$want" ] && pass "vep on an order-2 model = predict on its windows" || fail "vep on an order-2 model" "$ref $alt vs $want"
expect "encode --order 3: usage error" 1 "$GDL" encode "$T/o.fa" --order 3 -o "$T/o3.gdl"
contains "--order error says what it takes" "$T/err" "--order: expected 1 or 2, got '3'"
expect "--order with numeric input: usage error" 1 "$GDL" encode --shape 2,3 --order 2 "$T/o.fa" -o "$T/o4.gdl"
finish
