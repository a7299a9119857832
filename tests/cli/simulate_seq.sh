# gdl simulate sequences: deterministic for a seed, motifs exactly where truth.tsv says and
# nowhere else, labels agree with the truth; the output encodes with gdl encode.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

expect "simulate sequences" 0 "$GDL" simulate sequences -o "$T/a" --n 300 --length 80 --motif TGACTCAT --motif ccaat --fraction 0.3 --seed 7
expect "same seed again" 0 "$GDL" simulate sequences -o "$T/b" --n 300 --length 80 --motif TGACTCAT --motif ccaat --fraction 0.3 --seed 7
same "same seed: same FASTA" "$T/a.fa" "$T/b.fa"
same "same seed: same truth" "$T/a.truth.tsv" "$T/b.truth.tsv"
"$GDL" simulate sequences -o "$T/c" --n 300 --length 80 --motif TGACTCAT --motif ccaat --fraction 0.3 --seed 8
cmp -s "$T/a.fa" "$T/c.fa" && fail "another seed gives other sequences" || pass "another seed gives other sequences"
"$PYTHON" - "$T/a" <<'PY' && pass "truth: planted motifs at the stated positions, nowhere else; labels agree" || fail "simulated truth"
import sys
p = sys.argv[1]
seqs, name = {}, None
for line in open(p + ".fa"):
    line = line.strip()
    if line.startswith(">"): name = line[1:]; seqs[name] = ""
    else: seqs[name] += line
assert len(seqs) == 300 and all(len(s) == 80 and set(s) <= set("ACGT") for s in seqs.values())
rows = [l.rstrip("\n").split("\t") for l in open(p + ".labels.tsv")]
assert rows[0] == ["id", "motif_1", "motif_2"]
labels = {r[0]: (int(r[1]), int(r[2])) for r in rows[1:]}
truth = [l.rstrip("\n").split("\t") for l in open(p + ".truth.tsv")][1:]
motifs = {"motif_1": "TGACTCAT", "motif_2": "CCAAT"}
planted = set()
for id_, target, motif, start, end in truth:
    assert motifs[target] == motif and seqs[id_][int(start) - 1:int(end)] == motif
    planted.add((id_, target))
for id_, s in seqs.items():
    for k, (t, m) in enumerate(motifs.items()):
        n = sum(s[i:i + len(m)] == m for i in range(len(s)))
        assert n == labels[id_][k] == ((id_, t) in planted), (id_, t, n)
pos = sum(l[0] for l in labels.values())
assert 60 <= pos <= 120, pos   # fraction 0.3 of 300
PY
expect "simulated data encodes" 0 "$GDL" encode "$T/a.fa" -l "$T/a.labels.tsv" -o "$T/a.gdl"
"$PYTHON" - "$T/a.gdl" <<'PY' && pass "encoded simulation: 300 examples, two binary targets" || fail "encoded simulation"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert t["input:dna"].shape == (300, 80) and m["gdl.target_kinds"] == "binary,binary"
PY
expect "motif with a non-base: usage" 1 "$GDL" simulate sequences -o "$T/x" --motif ACGX
expect "no motif: usage" 1 "$GDL" simulate sequences -o "$T/x"
expect "motifs longer than the sequence: exit 2" 2 "$GDL" simulate sequences -o "$T/x" --length 6 --motif ACGTACGT
[ ! -e "$T/x.fa" ] && pass "failed simulation: no output" || fail "failed simulation left output"
expect "simulate without a kind: usage" 1 "$GDL" simulate
expect "simulate --help" 0 "$GDL" simulate --help
# the shipped example is what data/README.md says
data="$(dirname "$0")/../../data"
"$GDL" simulate sequences -o "$T/motifs" --n 400 --length 200 --motif TGACTCAT --motif CACGTG --fraction 0.4 --seed 4
for f in fa labels.tsv truth.tsv; do same "data/motifs.$f regenerates from its README command" "$T/motifs.$f" "$data/motifs.$f"; done
finish
