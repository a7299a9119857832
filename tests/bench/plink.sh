#!/bin/sh
# make bench-plink: gdl encode against plink2 --make-bed and bcftools view -Ou on the same
# 5,000-sample x 20,000-variant VCF.gz (from gdl simulate) and its BCF; 2 threads each
# (gdl -@, plink2 --threads, bcftools --threads). Genotypes/s from wall time, median of 3 runs.
# Usage: plink.sh GDL [THREADS=2]
set -eu
GDL=${1:?usage: plink.sh GDL [THREADS]}
THREADS=${2:-2}
DIR=$(cd "$(dirname "$0")" && pwd)/data
mkdir -p "$DIR"
missing=""
for t in plink2 bcftools /usr/bin/time; do command -v $t >/dev/null || missing="$missing $t"; done
if [ -n "$missing" ]; then
    echo "bench-plink needs$missing:"; echo "  sudo apt-get install -y plink2 bcftools time"; exit 1
fi
VCF=$DIR/bench5k.vcf.gz BCF=$DIR/bench5k.bcf
[ -s "$VCF" ] || "$GDL" simulate genotypes -q -o "$DIR/bench5k" -n 5000 -m 20000 -k 20 -p 5 -s 1
[ -s "$BCF" ] || bcftools view -Ob -o "$BCF" "$VCF"
G=100000000 # genotypes
run() { # LABEL CMD...
    label=$1; shift
    : >"$DIR/plink.walls"
    for r in 1 2 3; do
        /usr/bin/time -v "$@" >/dev/null 2>"$DIR/plink.time" || { cat "$DIR/plink.time" >&2; return 1; }
        sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DIR/plink.time" |
            awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' >>"$DIR/plink.walls"
    done
    wall=$(sort -g "$DIR/plink.walls" | sed -n 2p)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/plink.time")
    printf '%-36s %7.2f s %8.1f M genotypes/s %7.0f MB\n' "$label" "$wall" "$(echo "$wall" | awk -v g=$G '{print g / $1 / 1e6}')" \
        "$(echo "$rss" | awk '{print $1 / 1024}')"
    echo "$label	$wall" >>"$DIR/plink.results"
}
: >"$DIR/plink.results"
echo "5,000 samples x 20,000 variants; $THREADS threads; load:$(uptime | sed 's/.*load average://')"
run "gdl encode VCF.gz" "$GDL" encode -q -@ "$THREADS" "$VCF" -o "$DIR/p.gdl"
run "gdl encode BCF" "$GDL" encode -q -@ "$THREADS" "$BCF" -o "$DIR/p.gdl"
run "plink2 --make-bed VCF.gz" plink2 --threads "$THREADS" --vcf "$VCF" --make-bed --out "$DIR/p.plink"
run "plink2 --make-bed BCF" plink2 --threads "$THREADS" --bcf "$BCF" --make-bed --out "$DIR/p.plink"
run "bcftools view -Ou VCF.gz" bcftools view --threads "$THREADS" -Ou -o /dev/null "$VCF"
awk -F'\t' '{ w[$1] = $2 } END {
    printf "gdl / plink2 speed: VCF.gz %.2f, BCF %.2f;  gdl / bcftools (VCF.gz) %.2f;  gdl BCF / gdl VCF.gz %.2f\n",
        w["plink2 --make-bed VCF.gz"] / w["gdl encode VCF.gz"], w["plink2 --make-bed BCF"] / w["gdl encode BCF"],
        w["bcftools view -Ou VCF.gz"] / w["gdl encode VCF.gz"], w["gdl encode VCF.gz"] / w["gdl encode BCF"] }' "$DIR/plink.results"
