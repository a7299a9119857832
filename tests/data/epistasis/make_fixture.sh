#!/bin/sh
# Regenerates the gdl epistasis fixture in this directory (see README here): a simulated
# cohort of 400 samples x 60 variants with 2 planted XOR pairs and 3 additive variants, and
# plink 1.9's BOOST (--fast-epistasis boost, on disease) and linear (--epistasis, on the
# quantitative trait) results on it (plink.epi.cc.gz, plink.epi.qt.gz: plink's tables, gzipped).
#
# Usage: sh tests/data/epistasis/make_fixture.sh [--check] [GDL [PLINK]]
#   GDL    the gdl binary [./gdl at the repository root]
#   PLINK  plink 1.9 [plink1.9 on PATH] (Debian package plink1.9)
#   --check  build everything in a temporary directory and compare it with the committed
#            files (decompressed VCF and plink tables, text files) instead of overwriting them; exit 1 on a
#            difference.
# It stops with an error when plink's log does not report every sample of the VCF with its
# phenotype (as many cases and controls as pheno.tsv has) and every variant.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
CHECK=0
if [ "${1:-}" = --check ]; then CHECK=1; shift; fi
GDL=${1:-$ROOT/gdl}
PLINK=${2:-plink1.9}
command -v "$PLINK" >/dev/null || { echo "make_fixture.sh: needs plink 1.9 ($PLINK): sudo apt-get install -y plink1.9" >&2; exit 1; }
[ -x "$GDL" ] || { echo "make_fixture.sh: no gdl binary at $GDL (make -j2)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [ $CHECK = 1 ]; then OUT=$TMP/out; mkdir "$OUT"; else OUT=$HERE; fi

# 1. the cohort: gdl simulate (the same seed gives the same files)
"$GDL" simulate genotypes -q -o "$TMP/sim" -n 400 -m 60 -k 3 -p 2 --pair-kind xor --pair-maf 0.2,0.5 -s 5
cp "$TMP/sim.vcf.gz" "$OUT/cohort.vcf.gz"
cp "$TMP/sim.vcf.gz.tbi" "$OUT/cohort.vcf.gz.tbi"
cp "$TMP/sim.pheno.tsv" "$OUT/pheno.tsv" # id, disease, trait
cp "$TMP/sim.truth.tsv" "$OUT/truth.tsv"

# 2. plink 1.9 on the same VCF and phenotype. plink's --pheno needs FID IID columns (FID = IID
# = the VCF sample ID, as --double-id makes them); disease is 0/1, hence --1 (without it plink
# reads 0 as missing and 1 as control). The VCF has no sex, so --allow-no-sex keeps the
# phenotypes of the samples of unknown sex (without it they are set to missing).
awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { print "FID", "IID", "disease", "trait"; next } { print $1, $1, $2, $3 }' \
    "$OUT/pheno.tsv" >"$TMP/plink.pheno"
plink_run() { # OUT-PREFIX ARGS...
    o=$1; shift
    "$PLINK" --vcf "$OUT/cohort.vcf.gz" --double-id --allow-no-sex --pheno "$TMP/plink.pheno" \
        --threads 1 "$@" --out "$o" >/dev/null ||
        { cat "$o.log" >&2; exit 1; }
}
plink_run "$TMP/boost" --pheno-name disease --1 --fast-epistasis boost --epi1 1
plink_run "$TMP/qt" --pheno-name trait --epistasis --epi1 1
# plink's space-padded tables are kept byte for byte, gzipped (-n: no name or time stamp, so
# the same table gives the same bytes) to keep the fixture small (~100 KB each unpacked)
gzip -9nc "$TMP/boost.epi.cc" >"$OUT/plink.epi.cc.gz"
gzip -9nc "$TMP/qt.epi.qt" >"$OUT/plink.epi.qt.gz"

# 3. plink used every sample, phenotype and variant
n=$(awk 'END { print NR - 1 }' "$OUT/pheno.tsv")
cases=$(awk -F'\t' 'NR > 1 && $2 == 1' "$OUT/pheno.tsv" | wc -l)
ctrls=$(awk -F'\t' 'NR > 1 && $2 == 0' "$OUT/pheno.tsv" | wc -l)
m=$(gzip -dc "$OUT/cohort.vcf.gz" | grep -vc '^#')
for log in "$TMP/boost.log" "$TMP/qt.log"; do
    for want in "$m variants loaded from .bim file." \
                "$n people (0 males, 0 females, $n ambiguous) loaded from .fam." \
                "$n phenotype values present after --pheno." \
                "$m variants and $n people pass filters and QC."; do
        grep -qF "$want" "$log" || { echo "make_fixture.sh: $(basename "$log") lacks '$want':" >&2; cat "$log" >&2; exit 1; }
    done
done
grep -qF "Among remaining phenotypes, $cases are cases and $ctrls are controls." "$TMP/boost.log" ||
    { echo "make_fixture.sh: boost.log lacks the case/control counts" >&2; cat "$TMP/boost.log" >&2; exit 1; }
head -1 "$TMP/boost.log"
grep -h 'Skipping\|valid test' "$TMP/boost.log" "$TMP/qt.log"

if [ $CHECK = 1 ]; then
    bad=0
    gzip -dc "$HERE/cohort.vcf.gz" >"$TMP/a.vcf"; gzip -dc "$OUT/cohort.vcf.gz" >"$TMP/b.vcf"
    cmp -s "$TMP/a.vcf" "$TMP/b.vcf" || { echo "differs: cohort.vcf.gz"; bad=1; }
    for f in pheno.tsv truth.tsv; do
        cmp -s "$HERE/$f" "$OUT/$f" || { echo "differs: $f"; bad=1; }
    done
    for f in plink.epi.cc.gz plink.epi.qt.gz; do
        gzip -dc "$HERE/$f" >"$TMP/a.txt"; gzip -dc "$OUT/$f" >"$TMP/b.txt"
        cmp -s "$TMP/a.txt" "$TMP/b.txt" || { echo "differs: $f"; bad=1; }
    done
    [ $bad = 0 ] && echo "make_fixture.sh --check: the committed fixture is reproduced"
    exit $bad
fi
echo "make_fixture.sh: wrote cohort.vcf.gz cohort.vcf.gz.tbi pheno.tsv truth.tsv plink.epi.cc.gz plink.epi.qt.gz in $OUT"
