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
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

run() { # LABEL CMD...: prints label, wall seconds, peak RSS MB
    label=$1; shift
    /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.log" || { echo "$label failed:" >&2; cat "$DIR/time.log" >&2; return 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DIR/time.log" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.log")
    cpu=$(sed -n -e 's/.*User time (seconds): //p' -e 's/.*System time (seconds): //p' "$DIR/time.log" | awk '{s += $1} END {print s}')
    printf '%-34s %8.2f s wall %8.2f s cpu %9.1f MB peak RSS\n' "$label" "$wall" "$cpu" "$(echo "$rss" | awk '{print $1 / 1024}')"
}

echo "input: $VCF ($(du -h "$VCF" | cut -f1)), 5000 samples x 20000 variants"
run "bcftools view -Ou -o /dev/null" bcftools view -Ou -o /dev/null "$VCF"
run "gdl encode (1 thread)" "$GDL" encode -q "$VCF" -o "$DIR/bench5k.gdl"
run "gdl encode -@ 2" "$GDL" encode -q -@ 2 "$VCF" -o "$DIR/bench5k.gdl"
if command -v plink2 >/dev/null; then
    run "plink2 --make-bed (1 thread)" plink2 --threads 1 --vcf "$VCF" --make-bed --out "$DIR/bench5k.plink"
    run "gdl encode --maf 0.01" "$GDL" encode -q --maf 0.01 "$VCF" -o "$DIR/maf.gdl"
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
