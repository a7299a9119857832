# The variant-effect tutorial, run as a test. The sequence model of the motif tutorial scores two
# variants against the motif sequences used as the reference genome (each record a contig): a
# single-base change inside the TGACTCAT planted in seq2 (at 147-154, data/motifs.truth.tsv),
# which breaks it, and the same 8 bases written over seq1:97-104 (seq1 carries neither motif),
# which creates it. The motif_1 score must fall for the first and rise for the second, each by
# more than 0.1. The commands, from the repository's top directory:
#
#   gdl encode data/motifs.fa -l data/motifs.labels.tsv -o motifs.gdl
#   gdl train -c configs/simple-cnn.json -d motifs.gdl -o motifs.model.gdl
#   samtools faidx data/motifs.fa seq1:97-104 seq2:147-154   # ATTCAAGT, and the motif TGACTCAT
#   ( printf '##fileformat=VCFv4.2\n##contig=<ID=seq1,length=200>\n##contig=<ID=seq2,length=200>\n'
#     printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
#     printf 'seq1\t97\tcreate\tATTCAAGT\tTGACTCAT\t.\t.\t.\n'
#     printf 'seq2\t151\tbreak\tT\tC\t.\t.\t.\n' ) >variants.vcf
#   gdl vep -m motifs.model.gdl -i variants.vcf --ref data/motifs.fa -o effects.tsv
#   gdl vep -m motifs.model.gdl -i variants.vcf --ref data/motifs.fa -o effects.vcf.gz --write-index
#
# effects.tsv has a row per ALT allele and target (ref_score, alt_score, diff = alt - ref, logfc);
# effects.vcf.gz is the VCF with INFO GDL_motif_1 and GDL_motif_2 (the diffs) and its .csi index.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
expect "encode the motif sequences" 0 "$GDL" encode "$data/motifs.fa" -l "$data/motifs.labels.tsv" -o "$T/motifs.gdl"
expect "train simple-cnn" 0 "$GDL" train -c "$cfgs/simple-cnn.json" -d "$T/motifs.gdl" -o "$T/motifs.model.gdl"
# the REF bases the VCF gives, as the reference holds them
awk '/^>/ { n = $1 } n == ">seq1" && !/^>/ { s1 = s1 $0 } n == ">seq2" && !/^>/ { s2 = s2 $0 }
    END { print substr(s1, 97, 8), substr(s2, 147, 8) }' "$data/motifs.fa" >"$T/refs"
contains "seq1:97-104 is ATTCAAGT, seq2:147-154 the planted motif" "$T/refs" "ATTCAAGT TGACTCAT"
awk -F '\t' '$1 == "seq2" && $2 == "motif_1" && $4 == 147' "$data/motifs.truth.tsv" >"$T/truth"
lines "the truth table plants motif_1 at seq2:147" "$T/truth" 1
awk -F '\t' '$1 == "seq1" && $2 + $3 == 0' "$data/motifs.labels.tsv" >"$T/bare"
lines "seq1 carries neither motif" "$T/bare" 1
( printf '##fileformat=VCFv4.2\n##contig=<ID=seq1,length=200>\n##contig=<ID=seq2,length=200>\n'
  printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
  printf 'seq1\t97\tcreate\tATTCAAGT\tTGACTCAT\t.\t.\t.\n'
  printf 'seq2\t151\tbreak\tT\tC\t.\t.\t.\n' ) >"$T/variants.vcf"
expect "gdl vep to a TSV" 0 "$GDL" vep -m "$T/motifs.model.gdl" -i "$T/variants.vcf" --ref "$data/motifs.fa" -o "$T/effects.tsv"
lines "nothing skipped: nothing on stderr" "$T/err" 0
lines "2 alleles x 2 targets" "$T/effects.tsv" 5
awk -F '\t' '$3 == "break" && $6 == "motif_1" && $9 < -0.1 && $10 < 0' "$T/effects.tsv" >"$T/break"
lines "break: the motif_1 score falls by more than 0.1" "$T/break" 1
awk -F '\t' '$3 == "create" && $6 == "motif_1" && $9 > 0.1 && $10 > 0' "$T/effects.tsv" >"$T/create"
lines "create: the motif_1 score rises by more than 0.1" "$T/create" 1
expect "gdl vep -v to an indexed bgzip VCF" 0 "$GDL" vep -v -m "$T/motifs.model.gdl" -i "$T/variants.vcf" --ref "$data/motifs.fa" \
    -o "$T/effects.vcf.gz" --write-index
contains "-v: the counts" "$T/err" "[vep] 2 records: 2 ALT alleles scored, 0 symbolic or breakend ALTs skipped, 0 records"
[ -s "$T/effects.vcf.gz.csi" ] && pass "the .csi beside it" || fail "no effects.vcf.gz.csi"
"$PYTHON" - "$T/effects.vcf.gz" "$T/effects.tsv" <<'PY' && pass "the VCF's GDL_motif_1 = the TSV's diffs" || fail "VCF diffs"
import gzip, sys
tsv = {(r[2], r[5]): float(r[8]) for r in (l.rstrip("\n").split("\t") for l in open(sys.argv[2]))
       if r[0] != "chrom"}
n = 0
for line in gzip.open(sys.argv[1], "rt"):
    if line.startswith("#"):
        continue
    f = line.rstrip("\n").split("\t")
    info = dict(kv.split("=") for kv in f[7].split(";"))
    for t in ("motif_1", "motif_2"):
        assert abs(float(info["GDL_" + t]) - tsv[(f[2], t)]) < 1e-6, (f, t)
    n += 1
assert n == 2
PY
finish
