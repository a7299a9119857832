# gdl vep on a hand-made reference (two contigs, one soft-masked stretch) and a VCF of every
# kind of record: SNVs at contig position 1, at the last base and where the window meets the
# contig's ends, insertions (one longer than the window), deletions (one longer than L/2, one
# running off the contig), an MNV, complex REF/ALT of different lengths, multi-allelic records,
# a REF mismatch, a lower-case REF in the masked stretch, <DEL>, breakends, '*'. Every window of
# --windows equals the one built here from samtools faidx (or Python reading the FASTA) plus the
# edit; every ref_score and alt_score equals gdl predict on those windows (both one window pair
# per pass: identical to the printed digit), diff = alt - ref and logfc = logit(alt) - logit(ref)
# (NA for regression), for a binary, a categorical and a regression model; the VCF/BCF outputs
# read back (bcftools, or Python) carry every input record in order with GDL_ INFO = the TSV's
# diffs; indexes, --regions, --rc, averaged models, --top, --chr-alias, sample columns ignored;
# bad input exits 2 with one line naming the file and record and leaves no output.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
have() { command -v "$1" >/dev/null 2>&1; }

# models: binary (L = 41, L/2 = 20), a second seed of it, regression (L = 41), categorical (L = 60)
"$GDL" encode -q "$data/motifs.fa" -l "$data/motifs.labels.tsv" -w 41 -o "$T/m.gdl" &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m.gdl" -o "$T/bin.gdl" --epochs 3 &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/m.gdl" -o "$T/bin2.gdl" --epochs 3 --seed 2 || fail "train the binary models"
awk -F '\t' 'NR == 1 { print "id\tactivity"; next } { print $1 "\t" 1.5 * $2 + $3 + 0.25 }' "$data/motifs.labels.tsv" >"$T/reg.tsv"
"$GDL" encode -q "$data/motifs.fa" -l "$T/reg.tsv" -w 41 -o "$T/r.gdl" &&
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/r.gdl" -o "$T/reg.gdl" --epochs 3 || fail "train the regression model"
"$PYTHON" "$(dirname "$0")/splice_like.py" "$T/sp" 300 1 &&
"$GDL" encode -q "$T/sp.fa" -l "$T/sp.labels.tsv" -o "$T/sp.gdl" &&
"$GDL" train -q -c "$cfgs/position-cnn.json" -d "$T/sp.gdl" -o "$T/cat.gdl" --epochs 2 || fail "train the categorical model"

# chrA 130 bp in lines of 60, 61-80 soft-masked; chrB 70 bp in lines of 50
cat >"$T/ref.fa" <<'EOF'
>chrA first contig, soft-masked 61-80
GCTAAAGACAATTACATAACATACACGTCAGCACGAAACTTGTTGGCCCAGTGTGAATCG
cttaagggttaagtaagtgtGATGCATACGCCTTTACTTGCTGTGTCCACCCCATCGGAC
TGGCATTTTT
>chrB
ATTACACTCAGAAACAGAACTCGGGTAATTTTGACAGGTCACGCAGAGGC
GCGCCCTCCTGAAGTGCGTG
EOF
vcf_header() { # contig names A B
    cat <<EOF
##fileformat=VCFv4.2
##contig=<ID=$1,length=130>
##contig=<ID=$2,length=70>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Structural variant type">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position">
##ALT=<ID=DEL,Description="Deletion">
EOF
}
# chrA 21: the L = 41 window starts at the contig's first base; chrA 110: it ends at the last;
# chrA 30: a 34-base deletion (over L/2 for both window lengths) into the masked stretch;
# chrA 45: a 50-base insertion (longer than L); chrA 66: REF and ALT in lower case (masked);
# chrA 90: REF T where the reference has G; chrB 40: the deletion pulls in bases past the end
{ vcf_header chrA chrB; tr ' ' '\t' <<'EOF'
#CHROM POS ID REF ALT QUAL FILTER INFO
chrA 1 rs1 G T 50 PASS DP=10
chrA 21 . A C . . .
chrA 30 del35 AGCACGAAACTTGTTGGCCCAGTGTGAATCGCTTA A . . .
chrA 40 . T TACGTACG . . .
chrA 45 . G GGATTACAGATTACAGATTACAGATTACAGATTACAGATTACAGATTACAT . . .
chrA 50 . AGTGT A . . .
chrA 55 mnv GAA TCC . . .
chrA 58 . TCGC GA . . .
chrA 59 . CG AAGGT . . .
chrA 63 . T A . . .
chrA 66 . g t . . .
chrA 75 . A <DEL> . . SVTYPE=DEL;END=77
chrA 78 . TGTGA T . . .
chrA 80 . T T]chrB:10] . . .
chrA 85 . C G,* . . .
chrA 90 bad T G . . .
chrA 100 multi GC G,TC,GCAA . . DP=3
chrA 110 . C G . . .
chrA 130 last T A . . .
chrB 1 . A ATT . . .
chrB 20 . C C. . . .
chrB 40 . CACGCAGAGGCGCGCCCTCCTGAAG C . . .
chrB 70 lastB G T,GCCC . . .
EOF
} >"$T/v.vcf"

cat >"$T/check.py" <<'PY'
"""Checks of gdl vep's outputs, built independently of it: check.py MODE ARGS (see each mode)."""
import gzip, math, os, subprocess, sys
import numpy as np

def is_symbolic(a):
    return a.startswith("<") or "[" in a or "]" in a or a == "*" or a.startswith(".") or a.endswith(".")

def records(path):
    """(chrom, pos, id, ref, alts, info) of each record of a plain VCF."""
    out = []
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        out.append((f[0], int(f[1]), f[2], f[3], f[4].split(","), f[7]))
    return out

class Genome:
    """The reference through samtools faidx when there is one, else read here."""
    def __init__(self, path):
        self.path, self.cache = path, {}
        self.samtools = os.environ.get("VEP_SAMTOOLS") == "1"
        if self.samtools:
            subprocess.run(["samtools", "faidx", path], check=True)
            self.length = {l.split("\t")[0]: int(l.split("\t")[1]) for l in open(path + ".fai")}
        else:
            self.seqs, name = {}, None
            for line in open(path):
                if line.startswith(">"):
                    name = line[1:].split()[0]
                    self.seqs[name] = []
                else:
                    self.seqs[name].append(line.strip())
            self.seqs = {k: "".join(v) for k, v in self.seqs.items()}
            self.length = {k: len(v) for k, v in self.seqs.items()}

    def fetch(self, chrom, beg, end):
        """Bases [beg, end) upper-cased, N beyond the contig."""
        n = self.length[chrom]
        b, e = max(beg, 0), min(end, n)
        s = ""
        if b < e:
            if self.samtools:
                key = (chrom, b, e)
                if key not in self.cache:
                    out = subprocess.run(["samtools", "faidx", self.path, f"{chrom}:{b + 1}-{e}"], check=True,
                                         capture_output=True, text=True).stdout
                    self.cache[key] = "".join(out.split("\n")[1:])
                s = self.cache[key]
            else:
                s = self.seqs[chrom][b:e]
        s = "N" * (b - beg) + s.upper()
        return s + "N" * (end - beg - len(s))

def expected_windows(ref, vcf, L, mode):
    """[(id, ref window, alt window)] of every allele gdl vep scores."""
    g, h, out = Genome(ref), L // 2, []
    for chrom, pos, _, REF, alts, _ in records(vcf):
        c = pos - 1
        if g.fetch(chrom, c, c + len(REF)) != REF.upper() and mode == "skip":
            continue
        for a in alts:
            if is_symbolic(a):
                continue
            rw = g.fetch(chrom, c - h, c - h + L)
            aw = (g.fetch(chrom, c - h, c) + a.upper() + g.fetch(chrom, c + len(REF), c + len(REF) + L))[:L]
            out.append((f"{chrom}:{pos}:{REF}:{a}", rw, aw))
    return out

def mode_windows(ref, vcf, fasta, L, mode):
    """The --windows FASTA: exactly the expected windows, in order."""
    want = [(f"{i}:{w}", s) for i, r, a in expected_windows(ref, vcf, int(L), mode) for w, s in (("ref", r), ("alt", a))]
    lines = open(fasta).read().split("\n")
    got = list(zip([l[1:] for l in lines[0::2] if l], [l for l in lines[1::2]]))
    assert [w[0] for w in got] == [w[0] for w in want], ([w[0] for w in got], [w[0] for w in want])
    for (i, s), (_, t) in zip(got, want):
        assert s == t, (i, s, t)
    return len(want)

def logit(p):
    p = min(max(p, 1e-7), 1 - 1e-7)
    return math.log(p / (1 - p))

def predictions(path):
    """id -> {target or target:class -> score (float32)}."""
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    head, out = rows[0], {}
    for r in rows[1:]:
        s = {}
        for j, name in enumerate(head):
            if ":score" in name:
                s[name.replace(":score", "", 1)] = np.float32(r[j])  # %.9g: the float exactly
        out[r[0]] = s
    return out

def mode_revcomp(fasta, out):
    """The reverse complement of every window of a FASTA, same IDs."""
    lines = open(fasta).read().split("\n")
    with open(out, "w") as f:
        for i, s in zip(lines[0::2], lines[1::2]):
            f.write(i + "\n" + s[::-1].translate(str.maketrans("ACGTN", "TGCAN")) + "\n")

def mode_scores(pred, tsv, kind, pred_rc=None):
    """Each TSV row against gdl predict's scores of its windows (with pred_rc, the mean of both
    strands, as vep forms it in float32): the same float, printed %.6g."""
    P = predictions(pred)
    if pred_rc:
        R = predictions(pred_rc)
        P = {k: {t: np.float32(0.5) * (v[t] + R[k][t]) for t in v} for k, v in P.items()}
    rows = [l.rstrip("\n").split("\t") for l in open(tsv)]
    assert rows[0] == "chrom pos id ref alt target ref_score alt_score diff logfc".split(), rows[0]
    alleles = []
    for r in rows[1:]:
        allele = ":".join([r[0], r[1], r[3], r[4]])
        if not alleles or alleles[-1] != allele:
            alleles.append(allele)
        ref, alt = P[allele + ":ref"][r[5]], P[allele + ":alt"][r[5]]
        diff = np.float32(alt - ref)
        assert (r[6], r[7], r[8]) == ("%.6g" % ref, "%.6g" % alt, "%.6g" % diff), (r, ref, alt, diff)
        if kind == "regression":
            assert r[9] == "NA", r
        else:
            want = logit(float(alt)) - logit(float(ref))
            assert abs(float(r[9]) - want) <= 1e-5 * max(1, abs(want)), (r, want)
    K = len(next(iter(P.values())))
    assert len(rows) - 1 == K * len(alleles), (len(rows), K, len(alleles))
    assert [k[:-4] for k in P if k.endswith(":ref")] == alleles, "TSV alleles not in window order"
    return len(alleles)

def mode_query(path):
    """bcftools query's fields (CHROM POS ID REF ALT GDL_motif_1 GDL_motif_2 GDL_REF_MISMATCH) from a (b)gzip or plain VCF."""
    op = gzip.open if path.endswith(".gz") else open
    for line in op(path, "rt"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        info = dict((kv.split("=", 1) + ["1"])[:2] for kv in f[7].split(";") if kv != ".")
        print("\t".join(f[:5] + [info.get(k, ".") for k in ("GDL_motif_1", "GDL_motif_2", "GDL_REF_MISMATCH")]))

def mode_vcf(query, vcf, tsv, flagged):
    """Every input record in order; GDL_ values = the TSV's diffs, '.' for alleles not scored; the flag on flagged."""
    diffs = {}
    for r in [l.rstrip("\n").split("\t") for l in open(tsv)][1:]:
        diffs[(r[0], r[1], r[3], r[4], r[5])] = float(r[8])
    got = [l.rstrip("\n").split("\t") for l in open(query)]
    want = records(vcf)
    assert [g[:5] for g in got] == [[c, str(p), i, r, ",".join(a)] for c, p, i, r, a, _ in want], "records differ"
    scored = 0
    for g, (c, p, i, r, alts, _) in zip(got, want):
        for t, col in (("motif_1", 5), ("motif_2", 6)):
            vals = [diffs.get((c, str(p), r, a, t)) for a in alts]
            if all(v is None for v in vals):
                assert g[col] == ".", (g, t)
                continue
            vs = g[col].split(",")
            assert len(vs) == len(alts), g
            for v, d in zip(vs, vals):
                if d is None:
                    assert v == ".", g
                else:
                    assert abs(float(v) - d) <= 1e-6 * max(1, abs(d)), (g, d)
                    scored += t == "motif_1"
        assert (g[7] == "1") == (f"{c}:{p}" in flagged.split(",")), g
    return scored

def mode_region_records(vcf, regions):
    """CHROM POS of the records overlapping the regions (END for symbolic ALTs), as htslib finds them."""
    for reg in regions.split(","):
        chrom, _, span = reg.partition(":")
        beg, end = (int(x) for x in span.split("-")) if span else (1, 1 << 40)
        for c, p, _, r, _, info in records(vcf):
            e = p + len(r) - 1
            for kv in info.split(";"):
                if kv.startswith("END="):
                    e = int(kv[4:])
            if c == chrom and p <= end and e >= beg:
                print(f"{c}\t{p}")

def mode_mean(one, two, both):
    """The TSV of two models averaged against the mean of the two single-model TSVs."""
    read = lambda p: [l.rstrip("\n").split("\t") for l in open(p)][1:]
    for a, b, m in zip(read(one), read(two), read(both)):
        assert a[:6] == b[:6] == m[:6], (a, b, m)
        for j in (6, 7):
            want = (float(a[j]) + float(b[j])) / 2  # both printed to 6 digits: 1e-6 of rounding
            assert abs(float(m[j]) - want) <= 1.5e-6 * max(1, abs(want)), (a, b, m)
    assert len(read(one)) == len(read(both)) > 0

mode, args = sys.argv[1], sys.argv[2:]
r = globals()["mode_" + mode](*args)
if r is not None:
    print(f"{mode}: {r}", file=sys.stderr)
PY
if have samtools; then VEP_SAMTOOLS=1; else VEP_SAMTOOLS=0; fi
export VEP_SAMTOOLS
check() { "$PYTHON" "$T/check.py" "$@"; }
# query VCF: CHROM POS ID REF ALT GDL_motif_1 GDL_motif_2 GDL_REF_MISMATCH per record
query() {
    if have bcftools; then
        bcftools query -f '%CHROM\t%POS\t%ID\t%REF\t%ALT\t%INFO/GDL_motif_1\t%INFO/GDL_motif_2\t%INFO/GDL_REF_MISMATCH\n' "$1"
    else
        check query "$1"
    fi
}
# predict_windows MODEL FASTA OUT: gdl predict on a --windows FASTA, two windows per pass as vep
# --batch 1 runs them (an allele's reference and alternate): the same arithmetic, the same floats
predict_windows() {
    "$GDL" encode -q "$2" -o "$2.gdl" && "$GDL" predict -q --batch 2 -m "$1" -d "$2.gdl" -o "$3"
}

# the three models: every window, every score
for spec in bin:41:binary reg:41:regression cat:60:categorical; do
    m=${spec%%:*} L=${spec#*:} kind=${L#*:} L=${L%%:*}
    expect "$kind model: vep --windows, one allele per pass" 0 "$GDL" vep -m "$T/$m.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" \
        -o "$T/$m.tsv" --windows "$T/$m.win.fa" --batch 1
    cp "$T/err" "$T/$m.err"
    check windows "$T/ref.fa" "$T/v.vcf" "$T/$m.win.fa" "$L" skip &&
        pass "$kind model: every window (L $L) equals the reference around POS with ALT in place of REF" ||
        fail "$kind model: windows"
    predict_windows "$T/$m.gdl" "$T/$m.win.fa" "$T/$m.pred.tsv" || fail "$kind model: predict the windows"
    check scores "$T/$m.pred.tsv" "$T/$m.tsv" "$kind" &&
        pass "$kind model: ref_score, alt_score = gdl predict on the windows, diff = alt - ref, logfc" ||
        fail "$kind model: scores"
done
lines "22 ALT alleles x 2 targets" "$T/bin.tsv" 45
lines "22 ALT alleles x 3 classes" "$T/cat.tsv" 67
contains "categorical rows are TARGET:CLASS" "$T/cat.tsv" "	site:EI	"
grep -c ':ref$' "$T/bin.win.fa" >"$T/n" && contains "22 window pairs" "$T/n" 22
contains "the counts on stderr" "$T/bin.err" \
    "[vep] 23 records: 22 ALT alleles scored, 4 symbolic or breakend ALTs skipped, 1 records with a REF unlike the reference (skipped)"
contains "the mismatch named on stderr" "$T/bin.err" "v.vcf: record 16 (chrA:90): REF T, the reference has G"
grep -F 'chrA:1:G:T:ref' -A1 "$T/bin.win.fa" | tail -1 >"$T/w1"
contains "position 1: the window's left half is N" "$T/w1" "NNNNNNNNNNNNNNNNNNNNGCTAAAGACAATTACATAACA"
grep -F 'chrA:66:g:t:alt' -A1 "$T/bin.win.fa" | tail -1 >"$T/w66"
contains "masked stretch: upper-cased, lower-case ALT in place" "$T/w66" "GCCCAGTGTGAATCGCTTAATGGTTAAGTAAGTGTGATGCA"
expect "the same at the default batch" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bin128.tsv" --windows "$T/bin128.win.fa"
same "--batch 128: the same windows" "$T/bin.win.fa" "$T/bin128.win.fa"
"$PYTHON" - "$T/bin.tsv" "$T/bin128.tsv" <<'PY' && pass "--batch 128: the same scores to 1e-6" || fail "--batch 128 scores"
import sys
a, b = ([l.split("\t") for l in open(p)][1:] for p in sys.argv[1:])
assert len(a) == len(b) == 44
for x, y in zip(a, b):
    assert x[:6] == y[:6] and all(abs(float(x[j]) - float(y[j])) < 1e-6 for j in (6, 7, 8)), (x, y)
PY

# --ref-mismatch score: the bad record scored with the given REF (T -> G over a G: diff 0)
expect "--ref-mismatch score" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/sc.tsv" \
    --windows "$T/sc.win.fa" --ref-mismatch score --batch 1
contains "--ref-mismatch score: counted as scored" "$T/err" "23 ALT alleles scored, 4 symbolic or breakend ALTs skipped, 1 records with a REF unlike the reference (scored)"
check windows "$T/ref.fa" "$T/v.vcf" "$T/sc.win.fa" 41 score && pass "--ref-mismatch score: the mismatch's windows too" || fail "--ref-mismatch score windows"
awk -F '\t' '$2 == 90 && $9 != 0' "$T/sc.tsv" >"$T/nz"
lines "--ref-mismatch score: T>G where the reference has G leaves the window, diff 0" "$T/nz" 0
# the first 5 mismatches listed, all counted
{ vcf_header chrA chrB; printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
  for p in 2 3 4 5 6 7 8; do printf 'chrA\t%d\t.\tNN\tA\t.\t.\t.\n' "$p"; done; } >"$T/mm.vcf"
expect "seven mismatches" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/mm.vcf" --ref "$T/ref.fa" -o "$T/mm.tsv"
grep -c 'REF NN, the reference has' "$T/err" >"$T/n" && contains "the first 5 mismatches listed" "$T/n" 5
contains "all 7 counted" "$T/err" "7 records: 0 ALT alleles scored, 0 symbolic or breakend ALTs skipped, 7 records with a REF unlike"
lines "seven mismatches: a header, no rows" "$T/mm.tsv" 1

# VCF and BCF outputs, indexes, --regions
expect "-o out.vcf" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/out.vcf" --batch 1
query "$T/out.vcf" >"$T/out.q" || fail "read the VCF output back"
check vcf "$T/out.q" "$T/v.vcf" "$T/bin.tsv" chrA:90 &&
    pass "VCF: every record in order, GDL_motif_1/2 = the TSV's diffs ('.' unscored), GDL_REF_MISMATCH on chrA:90" ||
    fail "VCF output values"
grep -c '^#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO$' "$T/out.vcf" >"$T/n" && contains "VCF: sites only" "$T/n" 1
contains "VCF: INFO declared per ALT" "$T/out.vcf" '##INFO=<ID=GDL_motif_1,Number=A,Type=Float'
contains "VCF: the mismatch flag declared" "$T/out.vcf" '##INFO=<ID=GDL_REF_MISMATCH,Number=0,Type=Flag'
contains "VCF: input INFO kept" "$T/out.vcf" "DP=3;GDL_motif_1="
expect "-O z --write-index" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/out.vcf.gz" --write-index --batch 1
expect "-O b --write-index" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/out.bcf" --write-index --batch 1
[ -s "$T/out.vcf.gz.csi" ] && [ -s "$T/out.bcf.csi" ] && pass "--write-index: the .csi beside each" || fail "--write-index: no .csi"
query "$T/out.vcf.gz" >"$T/outz.q" && same "bgzip VCF: the same records and values" "$T/out.q" "$T/outz.q"
if have bcftools; then
    query "$T/out.bcf" >"$T/outb.q" && same "BCF: the same records and values" "$T/out.q" "$T/outb.q"
    for f in out.vcf.gz out.bcf; do
        bcftools index -s "$T/$f" >"$T/stats" 2>&1
        printf 'chrA\t130\t19\nchrB\t70\t4\n' >"$T/stats.want"
        same "bcftools index -s $f: 19 + 4 records" "$T/stats" "$T/stats.want"
        bcftools view -H -r chrA:76-90,chrB:60-70 "$T/$f" | cut -f 1,2 >"$T/reg.got" 2>&1
        check region_records "$T/v.vcf" chrA:76-90,chrB:60-70 >"$T/reg.want"
        same "bcftools view -r on $f: the records overlapping the regions" "$T/reg.got" "$T/reg.want"
    done
fi
# --regions through the index: the records overlapping (a <DEL> by its END, a deletion by its span)
check region_records "$T/v.vcf" chrA:76-90,chrB:60-70 >"$T/reg.want"
lines "the regions hold 7 records (75 <DEL> to 77, 78, 80, 85, 90; chrB 40 deletion to 64, 70)" "$T/reg.want" 7
indexed="out.vcf.gz out.bcf"
if have bgzip && have tabix; then
    bgzip -c "$T/v.vcf" >"$T/in.vcf.gz" && tabix -p vcf "$T/in.vcf.gz" && indexed="$indexed in.vcf.gz"
fi
for f in $indexed; do
    expect "--regions on $f" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/$f" --ref "$T/ref.fa" -o "$T/reg.vcf" \
        --regions chrA:76-90,chrB:60-70
    query "$T/reg.vcf" | cut -f 1,2 >"$T/reg.got"
    same "--regions on $f: exactly the records in the regions" "$T/reg.got" "$T/reg.want"
done
expect "--regions chrB on out.vcf.gz" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/out.vcf.gz" --ref "$T/ref.fa" -o "$T/regB.tsv" --regions chrB --batch 1
grep '^chrB' "$T/bin.tsv" >"$T/chrB.want" && grep '^chrB' "$T/regB.tsv" >"$T/chrB.got"
same "--regions chrB: the chrB rows of the whole run" "$T/chrB.got" "$T/chrB.want"

# --rc: the mean of the window's and its reverse complement's plain scores
expect "--rc" 0 "$GDL" vep --rc -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/rc.tsv" --windows "$T/rc.win.fa" --batch 1
same "--rc: the same windows" "$T/rc.win.fa" "$T/bin.win.fa"
check revcomp "$T/rc.win.fa" "$T/rc.rev.fa" &&
predict_windows "$T/bin.gdl" "$T/rc.rev.fa" "$T/rc.rev.pred.tsv" || fail "predict the reverse complements of the windows"
check scores "$T/bin.pred.tsv" "$T/rc.tsv" binary "$T/rc.rev.pred.tsv" && pass "--rc: each score the mean of both strands' plain scores" || fail "--rc scores"
cmp -s "$T/rc.tsv" "$T/bin.tsv" && fail "--rc changes the scores" || pass "--rc changes the scores"

# two models averaged
expect "two models" 0 "$GDL" vep -m "$T/bin.gdl" -m "$T/bin2.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/two.tsv" --batch 1
expect "the second model alone" 0 "$GDL" vep -m "$T/bin2.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bin2.tsv" --batch 1
check mean "$T/bin.tsv" "$T/bin2.tsv" "$T/two.tsv" && pass "two models: the mean of the single-model scores" || fail "two models averaged"
"$GDL" predict -q --batch 2 -m "$T/bin.gdl" -m "$T/bin2.gdl" -d "$T/bin.win.fa.gdl" -o "$T/two.pred.tsv" &&
check scores "$T/two.pred.tsv" "$T/two.tsv" binary && pass "two models: = gdl predict with both" || fail "two models vs predict"

# --top 1: the class with the largest |diff| of each allele
expect "--top 1" 0 "$GDL" vep --top 1 -m "$T/cat.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/top.tsv" --batch 1
"$PYTHON" - "$T/cat.tsv" "$T/top.tsv" <<'PY' && pass "--top 1: one row per allele, its largest |diff|" || fail "--top 1"
import sys
full, top = ([l.rstrip("\n").split("\t") for l in open(p)][1:] for p in sys.argv[1:])
best = {}
for r in full:
    k = tuple(r[:5])
    if k not in best or abs(float(r[8])) > abs(float(best[k][8])):
        best[k] = r
assert top == list(best.values()), (top, best)
PY

# sample columns are never read: a cohort VCF gives what its sites give
awk -F '\t' 'BEGIN { OFS = "\t" } /^##/ { print; next }
    /^#CHROM/ { print "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">"; print $0, "FORMAT", "S1", "S2"; next }
    { print $0, "GT", "0/1", "1|1" }' "$T/v.vcf" >"$T/cohort.vcf"
expect "cohort VCF with 2 samples" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/cohort.vcf" --ref "$T/ref.fa" -o "$T/cohort.tsv" --batch 1
same "cohort: the TSV of its sites" "$T/cohort.tsv" "$T/bin.tsv"
expect "cohort VCF to VCF" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/cohort.vcf" --ref "$T/ref.fa" -o "$T/cohort.out.vcf" --batch 1
grep -v '^##' "$T/cohort.out.vcf" >"$T/c.body" && grep -v '^##' "$T/out.vcf" >"$T/s.body"
same "cohort: the sites-only VCF of its sites (no sample columns)" "$T/c.body" "$T/s.body"

# --keep-samples: the VCF/BCF out carries the sample columns as read, the INFO as without them
for ty in v b; do
    expect "--keep-samples -O $ty" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/cohort.vcf" --ref "$T/ref.fa" -O $ty \
        -o "$T/keep.$ty" --keep-samples --batch 1
    if have bcftools; then
        bcftools query -f '%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n' "$T/cohort.vcf" >"$T/keep.in.gt"
        bcftools query -f '%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n' "$T/keep.$ty" >"$T/keep.$ty.gt"
        same "--keep-samples -O $ty: every genotype as in the input" "$T/keep.$ty.gt" "$T/keep.in.gt"
        bcftools query -l "$T/keep.$ty" >"$T/keep.$ty.names"
        printf 'S1\nS2\n' >"$T/keep.names"
        same "--keep-samples -O $ty: the sample names" "$T/keep.$ty.names" "$T/keep.names"
        query "$T/keep.$ty" >"$T/keep.$ty.q" && query "$T/out.vcf" >"$T/keep.sites.q"
        same "--keep-samples -O $ty: the INFO of the sites-only output" "$T/keep.$ty.q" "$T/keep.sites.q"
    fi
done

# --wide: one row per allele, a column per output; each score as the long TSV has it
for w in diff logfc ref alt; do
    for m in bin cat reg; do
        expect "--wide $w ($m)" 0 "$GDL" vep -m "$T/$m.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/wide.$m.$w.tsv" --wide $w --batch 1
        "$PYTHON" - "$T/$m.tsv" "$T/wide.$m.$w.tsv" $w <<'PY' && pass "--wide $w ($m): the long TSV's $w, pivoted" || fail "--wide $w ($m)"
import sys
col = {"ref": 6, "alt": 7, "diff": 8, "logfc": 9}[sys.argv[3]]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
wide = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
targets = list(dict.fromkeys(r[5] for r in rows))
assert wide[0] == ["chrom", "pos", "id", "ref", "alt"] + targets, wide[0]
want, order = {}, []
for r in rows:
    k = tuple(r[:5])
    if k not in want:
        want[k] = {}
        order.append(k)
    want[k][r[5]] = r[col]
got = [tuple(r[:5]) for r in wide[1:]]
assert got == order, (got, order)
for r in wide[1:]:
    assert r[5:] == [want[tuple(r[:5])][t] for t in targets], r
PY
    done
done

# -v: a progress bar on a terminal (script gives gdl one), none in a pipe or a log
if have script; then
    script -qec "\"$GDL\" vep -v -m \"$T/bin.gdl\" -i \"$T/cohort.vcf\" --ref \"$T/ref.fa\" -o \"$T/tty.tsv\" --batch 1" "$T/tty.log" >/dev/null 2>&1
    same "on a terminal: the same TSV" "$T/tty.tsv" "$T/bin.tsv"
    contains "on a terminal: a progress bar of bytes read" "$T/tty.log" "vep (bytes read) ["
    "$GDL" vep -v -m "$T/bin.gdl" -i "$T/cohort.vcf" --ref "$T/ref.fa" -o "$T/log.tsv" --batch 1 2>"$T/log.err"
    if grep -q 'bytes read' "$T/log.err"; then fail "no progress bar in a log"; else pass "no progress bar in a log"; fi
fi

# --chr-alias: reference chr1 / VCF 1, and reference A / VCF chrA
sed 's/^>chrA.*/>chr1/; s/^>chrB/>chr2/' "$T/ref.fa" >"$T/ref_chr.fa"
sed 's/^>chrA.*/>A/; s/^>chrB/>B/' "$T/ref.fa" >"$T/ref_bare.fa"
sed 's/^chrA	/1	/; s/^chrB	/2	/; s/ID=chrA,/ID=1,/; s/ID=chrB,/ID=2,/; s/\]chrB:/]2:/' "$T/v.vcf" >"$T/v_bare.vcf"
expect "VCF '1', reference 'chr1', no --chr-alias: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/v_bare.vcf" --ref "$T/ref_chr.fa" -o "$T/al.tsv"
contains "the missing contig named, and the fix" "$T/err" "v_bare.vcf: record 1 (1:1): contig '1' is not in $T/ref_chr.fa (--chr-alias tries it with or without 'chr')"
[ ! -e "$T/al.tsv" ] && pass "missing contig: no output" || fail "missing contig left an output"
expect "--chr-alias: 1 found as chr1" 0 "$GDL" vep --chr-alias -m "$T/bin.gdl" -i "$T/v_bare.vcf" --ref "$T/ref_chr.fa" -o "$T/al.tsv" --batch 1
sed 's/^chrA	/1	/; s/^chrB	/2	/' "$T/bin.tsv" >"$T/al.want"
same "--chr-alias: the scores of the chr-named run, under the VCF's names" "$T/al.tsv" "$T/al.want"
expect "--chr-alias: chrA found as A" 0 "$GDL" vep --chr-alias -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref_bare.fa" -o "$T/al2.tsv" --batch 1
same "--chr-alias: 'chr' removed, the same scores" "$T/al2.tsv" "$T/bin.tsv"

# bad input: exit 2, one line naming the file and the record, no output under the final name
one_error() { # NAME TEXT: stderr has one error line (warnings aside), holding TEXT
    if [ "$(grep -c '^gdl vep: ' "$TMP/err")" -eq 1 ] && grep '^gdl vep: ' "$TMP/err" | grep -qF -- "$2"; then pass "$1"
    else fail "$1" "stderr has not one error line with '$2'"; sed 's/^/    /' "$TMP/err" >&2; fi
}
no_output() { # NAME FILE...: none of them exists
    local name=$1 f; shift
    for f in "$@"; do [ -e "$f" ] && { fail "$name" "$f left behind"; return; }; done
    pass "$name"
}
expect "--ref-mismatch fail: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bad.tsv" \
    --windows "$T/bad.fa" --ref-mismatch fail
one_error "--ref-mismatch fail: one line with file, record, CHROM:POS and the reference's base" \
    "v.vcf: record 16 (chrA:90): REF T, $T/ref.fa has G (--ref-mismatch fail)"
lines "--ref-mismatch fail: nothing else on stderr" "$T/err" 1
no_output "--ref-mismatch fail: no TSV, no windows" "$T/bad.tsv" "$T/bad.fa"
expect "--ref-mismatch fail to -O z --write-index: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" \
    -o "$T/bad.vcf.gz" --write-index --ref-mismatch fail
no_output "--ref-mismatch fail: no VCF, no index" "$T/bad.vcf.gz" "$T/bad.vcf.gz.csi"
ls "$T" | grep '^bad' >"$T/left"; lines "--ref-mismatch fail: no temporary files left" "$T/left" 0
sed 's/^chrB	/chrC	/; s/ID=chrB,/ID=chrC,/' "$T/v.vcf" >"$T/chrC.vcf"
expect "contig absent from the reference: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/chrC.vcf" --ref "$T/ref.fa" -o "$T/bad.vcf"
one_error "absent contig: one line naming the file, the record and the contig" "chrC.vcf: record 20 (chrC:1): contig 'chrC' is not in $T/ref.fa"
no_output "absent contig: no output" "$T/bad.vcf"
grep -v '^##contig' "$T/v.vcf" >"$T/noctg.vcf"
expect "a VCF without ##contig lines, to TSV" 0 "$GDL" vep -m "$T/bin.gdl" -i "$T/noctg.vcf" --ref "$T/ref.fa" -o "$T/noctg.tsv" --batch 1
same "no ##contig lines: the same scores" "$T/noctg.tsv" "$T/bin.tsv"
expect "a VCF without ##contig lines, to VCF: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/noctg.vcf" --ref "$T/ref.fa" -o "$T/bad.vcf"
one_error "undeclared contig in a VCF output: says what to declare" "noctg.vcf: record 1 (chrA:1): its contig or an INFO/FILTER tag is not declared in the header"
no_output "undeclared contig: no VCF" "$T/bad.vcf"
# a truncated bgzip VCF: 3000 records over several BGZF blocks, cut in the middle
{ vcf_header chrA chrB; printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
  awk -v s="$(sed -n 6,7p "$T/ref.fa" | tr -d '\n')" 'BEGIN { for (i = 0; i < 3000; i++)
      printf "chrB\t%d\tsite%d\t%s\t<DUP>\t.\t.\tDP=%d\n", i % 70 + 1, i, substr(s, i % 70 + 1, 1), i }'; } >"$T/big.vcf"
"$GDL" vep -q -m "$T/bin.gdl" -i "$T/big.vcf" --ref "$T/ref.fa" -o "$T/big.vcf.gz" || fail "bgzip a big VCF"
size=$(wc -c <"$T/big.vcf.gz")
head -c $((size * 2 / 3)) "$T/big.vcf.gz" >"$T/cut.vcf.gz"
expect "truncated bgzip VCF: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/cut.vcf.gz" --ref "$T/ref.fa" -o "$T/bad.tsv"
one_error "truncated bgzip VCF: one line naming the file and the record" "cut.vcf.gz: record "
contains "truncated bgzip VCF: says why" "$T/err" "cannot be read (truncated or malformed)"
no_output "truncated bgzip VCF: no output" "$T/bad.tsv"
expect "--regions on an unindexed VCF: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bad.tsv" --regions chrA
one_error "--regions without an index: names the file" "v.vcf: --regions needs an index"
no_output "--regions without an index: no output" "$T/bad.tsv"
expect "--regions on an unindexed bgzip VCF: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/big.vcf.gz" --ref "$T/ref.fa" -o "$T/bad.tsv" --regions chrA
one_error "--regions on unindexed bgzip: names the file" "big.vcf.gz: --regions needs an index"
expect "a reference that does not exist: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" --ref "$T/nope.fa" -o "$T/bad.tsv"
one_error "missing reference: named" "$T/nope.fa: cannot open: No such file or directory"
no_output "missing reference: no output" "$T/bad.tsv"
"$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/g.gdl" &&
"$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/g.gdl" -o "$T/geno.gdl" --epochs 1 || fail "train a genotype model"
expect "a genotype model: exit 2" 2 "$GDL" vep -m "$T/geno.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bad.tsv"
one_error "a genotype model: refused, the model named" "$T/geno.gdl: gdl vep applies models of one DNA sequence input"
no_output "a genotype model: no output" "$T/bad.tsv"
expect "a genotype model second of two: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -m "$T/geno.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bad.tsv"
one_error "the second model named" "$T/geno.gdl: gdl vep applies"
expect "models of other targets: exit 2" 2 "$GDL" vep -m "$T/bin.gdl" -m "$T/reg.gdl" -i "$T/v.vcf" --ref "$T/ref.fa" -o "$T/bad.tsv"
one_error "models of other targets: named" "$T/reg.gdl: other input shape or targets than $T/bin.gdl"

# usage
expect "--help: exit 0" 0 "$GDL" vep --help
contains "--help on stdout" "$T/out" "Usage: gdl vep -m MODEL.gdl"
V="-i $T/v.vcf --ref $T/ref.fa"
expect "no model: exit 1" 1 "$GDL" vep $V -o "$T/u.tsv"
contains "no model: says what is required" "$T/err" "-m MODEL, -i VARIANTS and --ref GENOME are required"
expect "no --ref: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" -i "$T/v.vcf" -o "$T/u.tsv"
expect "-O x: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V -O x
contains "-O x: says what it takes" "$T/err" "-O: expected t, v, z or b, got 'x'"
expect "--ref-mismatch maybe: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --ref-mismatch maybe
contains "--ref-mismatch: says what it takes" "$T/err" "--ref-mismatch: expected skip, fail or score, got 'maybe'"
expect "--batch 0: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --batch 0
expect "--top with a VCF output: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --top 1 -o "$T/u.vcf"
expect "--wide with a VCF output: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --wide diff -o "$T/u.vcf"
expect "--wide sum: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --wide sum -o "$T/u.tsv"
contains "--wide sum: says what it takes" "$T/err" "--wide: expected diff, logfc, ref or alt, got 'sum'"
expect "--wide with --top: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --wide diff --top 2 -o "$T/u.tsv"
expect "--keep-samples with a TSV: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --keep-samples -o "$T/u.tsv"
expect "--write-index with a TSV: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --write-index -o "$T/u.tsv"
expect "--write-index with -O v: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --write-index -o "$T/u.vcf"
expect "--write-index to stdout: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --write-index -O z
expect "an unknown option: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V --frobnicate
expect "an extra argument: exit 1" 1 "$GDL" vep -m "$T/bin.gdl" $V extra.vcf
contains "an extra argument: named" "$T/err" "unexpected argument 'extra.vcf'"
no_output "usage errors write nothing" "$T/u.tsv" "$T/u.vcf"
finish
