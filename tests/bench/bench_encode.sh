#!/bin/sh
# Encode speed: a 5,000-sample x 20,000-variant VCF.gz made by gdl simulate, encoded by gdl
# (single thread) next to the parse floor (bcftools view -Ou -o /dev/null) and plink2 --make-bed
# when installed. Wall and CPU (user + sys) time and peak RSS from /usr/bin/time -v; on a shared
# machine compare CPU times. Argument: the gdl binary.
set -eu
GDL=${1:?usage: bench_encode.sh GDL}
DIR=$(cd "$(dirname "$0")" && pwd)/data
mkdir -p "$DIR"
VCF=$DIR/bench5k.vcf.gz
[ -s "$VCF" ] || "$GDL" simulate genotypes -o "$DIR/bench5k" -n 5000 -m 20000 -k 20 -p 5 -s 1
. "$(dirname "$0")/lib.sh"

echo "input: $VCF ($(du -h "$VCF" | cut -f1)), 5000 samples x 20000 variants"
bench_run "bcftools view -Ou -o /dev/null" bcftools view -Ou -o /dev/null "$VCF"
bench_run "gdl encode (1 thread)" "$GDL" encode -q "$VCF" -o "$DIR/bench5k.gdl"
bench_run "gdl encode -@ 2" "$GDL" encode -q -@ 2 "$VCF" -o "$DIR/bench5k.gdl"
if command -v plink2 >/dev/null; then
    bench_run "plink2 --make-bed (1 thread)" plink2 --threads 1 --vcf "$VCF" --make-bed --out "$DIR/bench5k.plink"
    bench_run "gdl encode --maf 0.01" "$GDL" encode -q --maf 0.01 "$VCF" -o "$DIR/maf.gdl"
    plink2 --threads 1 --vcf "$VCF" --maf 0.01 --write-snplist --out "$DIR/maf.plink" >/dev/null 2>&1
    "$GDL" inspect --catalog "$DIR/maf.gdl" | tail -n +2 | cut -f4 >"$DIR/maf.gdl.ids"
    if cmp -s "$DIR/maf.gdl.ids" "$DIR/maf.plink.snplist"; then
        echo "--maf 0.01: gdl and plink2 keep the same $(wc -l <"$DIR/maf.gdl.ids") variants"
    else
        echo "--maf 0.01: gdl keeps $(wc -l <"$DIR/maf.gdl.ids"), plink2 $(wc -l <"$DIR/maf.plink.snplist"): DIFFER"
    fi
else
    echo "plink2 not installed: skipped"
fi
ls -l "$DIR/bench5k.gdl" | awk '{print "dataset:", $5, "bytes"}'
