#!/bin/sh
# make bench-epistasis: gdl epistasis (BOOST log-linear interaction test after the KSA screen,
# --screen 5e-6) against plink 1.9 --fast-epistasis boost (--epi1 5e-6, the same screen) on the
# same simulated case/control cohort, at 1 and at 2 threads (gdl -@, plink --threads).
#
# The cohort: gdl simulate genotypes -n EPI_N -m EPI_M -k EPI_K -p EPI_P --pair-kind xor
# (interacting pairs without marginal effects), encoded with gdl encode (disease as the
# target; genes from the simulated BED) and converted to a plink .bed with plink1.9 --vcf
# --make-bed (phenotype in the .fam). Both test every pair of the variants with at least 2
# genotype classes; the number of valid tests (plink's log, else gdl's '# part' line; both are
# printed, and flagged when they differ) is the numerator of both pairs/s figures. Per tool and
# thread count: wall and CPU seconds and peak RSS from /usr/bin/time -v (lib.sh; the median
# wall of EPI_REPEATS runs, CPU and RSS of the last), pairs/s, the rows written, and the rank
# of each planted pair (PREFIX.truth.tsv; in either order): gdl's
# own rank column; plink's by P ascending (ties: STAT descending; its .epi.cc is unsorted).
# Then plink wall / gdl wall per thread count. Without plink1.9 the plink half is skipped
# (said so).
#
# Usage: bench_epistasis.sh GDL
# Env: EPI_N (3000 samples), EPI_M (6000 variants), EPI_P (2 xor pairs), EPI_K (5 additive
#      variants), EPI_SEED (1), EPI_SCREEN (5e-6), EPI_THREADS ("1 2"), EPI_REPEATS (3),
#      PLINK (plink1.9). Data (cached per size and seed) and outputs in tests/bench/data/;
#      the summary also goes to tests/bench/data/epistasis.tsv.
set -eu
GDL=${1:?usage: bench_epistasis.sh GDL}
N=${EPI_N:-3000}
M=${EPI_M:-6000}
P=${EPI_P:-2}
K=${EPI_K:-5}
SEED=${EPI_SEED:-1}
SCREEN=${EPI_SCREEN:-5e-6}
THREADS=${EPI_THREADS:-1 2}
REPEATS=${EPI_REPEATS:-3}
PLINK=${PLINK:-plink1.9}
DIR=$(cd "$(dirname "$0")" && pwd)/data
mkdir -p "$DIR"
. "$(dirname "$0")/lib.sh"

have_gdl=1 have_plink=1
"$GDL" epistasis --help >/dev/null 2>&1 || { have_gdl=0; echo "gdl epistasis: not in $GDL; gdl half skipped"; }
command -v "$PLINK" >/dev/null || { have_plink=0; echo "$PLINK not installed (sudo apt-get install -y plink1.9): plink half skipped"; }
if [ $have_gdl = 0 ] && [ $have_plink = 0 ]; then echo "bench_epistasis: nothing to run"; exit 0; fi

# the cohort, cached per size and seed
S=$DIR/epi_${N}x${M}_p${P}_k${K}_s${SEED}
[ -s "$S.vcf.gz" ] || "$GDL" simulate genotypes -q -o "$S" -n "$N" -m "$M" -k "$K" -p "$P" --pair-kind xor -s "$SEED"
if [ $have_gdl = 1 ] && [ ! -s "$S.gdl" ]; then
    "$GDL" encode -q "$S.vcf.gz" --genes "$S.genes.bed" --pheno "$S.pheno.tsv" --pheno-col disease -o "$S.gdl"
fi
if [ $have_plink = 1 ] && [ ! -s "$S.bed" ]; then
    # FID = IID = the VCF sample ID (--double-id); disease is 0/1 (--1); no sex in a VCF, so
    # --allow-no-sex keeps those samples' phenotypes. The .fam then holds the phenotype (1/2).
    awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { print "FID", "IID", "disease"; next } { print $1, $1, $2 }' \
        "$S.pheno.tsv" >"$S.plink.pheno"
    "$PLINK" --vcf "$S.vcf.gz" --double-id --allow-no-sex --pheno "$S.plink.pheno" --pheno-name disease --1 \
        --make-bed --out "$S" >/dev/null || { cat "$S.log" >&2; exit 1; }
fi

# the planted pairs: "a b" per line
awk -F'\t' '$1 == "xor" { print $2, $8 }' "$S.truth.tsv" >"$DIR/epi.truth"

# rank_gdl OUT / rank_plink OUT: the rank of each planted pair, space-separated ("-" if absent)
rank_gdl() {
    awk -v truth="$DIR/epi.truth" 'BEGIN { while ((getline l < truth) > 0) { split(l, t, " "); k++; a[k] = t[1]; b[k] = t[2] } }
        /^#/ { next }
        !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        { for (j = 1; j <= k; j++) if (!(j in r) && (($c["variant_a"] == a[j] && $c["variant_b"] == b[j]) || ($c["variant_a"] == b[j] && $c["variant_b"] == a[j]))) r[j] = $c["rank"] }
        END { for (j = 1; j <= k; j++) printf "%s%s", (j > 1 ? " " : ""), (j in r ? r[j] : "-"); print "" }' FS='\t' "$1"
}
rank_plink() {
    awk 'NR > 1 && $5 != "nan" && $5 + 0 >= 0 { print $2, $4, $5, $7 }' "$1" | sort -k4,4g -k3,3gr |
        awk -v truth="$DIR/epi.truth" 'BEGIN { while ((getline l < truth) > 0) { split(l, t, " "); k++; a[k] = t[1]; b[k] = t[2] } }
            { for (j = 1; j <= k; j++) if (!(j in r) && (($1 == a[j] && $2 == b[j]) || ($1 == b[j] && $2 == a[j]))) r[j] = NR }
            END { for (j = 1; j <= k; j++) printf "%s%s", (j > 1 ? " " : ""), (j in r ? r[j] : "-"); print "" }'
}

# timed LABEL CMD...: EPI_REPEATS runs through bench_run; sets WALL (median), CPU, RSS_MB (last run)
timed() {
    tlabel=$1; shift   # not "label": bench_run sets that one
    : >"$DIR/epi.walls"
    r=1
    while [ $r -le "$REPEATS" ]; do
        bench_run "$tlabel [$r/$REPEATS]" "$@" || return 1
        echo "$LAST_WALL" >>"$DIR/epi.walls"
        r=$((r + 1))
    done
    WALL=$(sort -g "$DIR/epi.walls" | awk '{ w[NR] = $1 } END { print (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }')
    # shellcheck disable=SC2154 # cpu and rss: set by bench_run (lib.sh)
    CPU=$cpu RSS_MB=$(echo "$rss" | awk '{ printf "%.1f", $1 / 1024 }')
}

echo "cohort: $N samples x $M variants, $P xor pairs, $K additive; screen p $SCREEN; $REPEATS run(s) each; load:$(uptime | sed 's/.*load average://')"
echo "planted pairs: $(tr '\n' ';' <"$DIR/epi.truth" | sed 's/;$//; s/;/; /g')"

printf 'tool\tthreads\twall_s\tcpu_s\tpeak_rss_mb\trows\tplanted_ranks\n' >"$DIR/epistasis.tsv"
for t in $THREADS; do
    if [ $have_gdl = 1 ]; then
        out=$DIR/epi.gdl.$t.tsv
        if timed "gdl epistasis --screen $SCREEN -@ $t" "$GDL" epistasis -d "$S.gdl" -o "$out" --screen "$SCREEN" -@ "$t"; then
            rows=$(grep -v '^#' "$out" | awk 'END { print NR - 1 }')
            printf 'gdl\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$WALL" "$CPU" "$RSS_MB" "$rows" "$(rank_gdl "$out")" >>"$DIR/epistasis.tsv"
            [ -n "${gdl_tests:-}" ] || gdl_tests=$(awk -F'\t' '$1 == "# part" { for (i = 2; i < NF; i++) if ($i == "tests") print $(i + 1) }' "$out")
        fi
    fi
    if [ $have_plink = 1 ]; then
        out=$DIR/epi.plink.$t
        if timed "plink1.9 --fast-epistasis boost --threads $t" "$PLINK" --bfile "$S" --allow-no-sex --fast-epistasis boost \
                --epi1 "$SCREEN" --threads "$t" --out "$out"; then
            rows=$(awk 'END { print NR - 1 }' "$out.epi.cc")
            printf 'plink1.9\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$WALL" "$CPU" "$RSS_MB" "$rows" "$(rank_plink "$out.epi.cc")" >>"$DIR/epistasis.tsv"
            [ -n "${plink_tests:-}" ] || plink_tests=$(sed -n 's/^\([0-9]*\) valid tests\{0,1\} performed.*/\1/p' "$out.log")
            [ -n "${plink_cc:-}" ] || plink_cc=$(sed -n 's/^Among remaining phenotypes, \(.*\)\.$/\1/p' "$out.log")
            [ -n "${plink_skip:-}" ] || plink_skip=$(sed -n 's/.*Skipping \([0-9]*\) monomorphic.*/\1/p' "$out.log")
        fi
    fi
done

# pairs/s: the valid tests (pairs of the variants with >= 2 genotype classes, less the pairs
# where one variant has < 2 classes among the samples called at both), plink's count, else
# gdl's, else M (M - 1) / 2
PAIRS=${plink_tests:-${gdl_tests:-$(awk -v m="$M" 'BEGIN { printf "%.0f", m * (m - 1) / 2 }')}}
echo
line="tests:"
[ -n "${plink_tests:-}" ] && line="$line plink ${plink_tests} valid (${plink_skip:-0} variants skipped; ${plink_cc:-?});"
[ -n "${gdl_tests:-}" ] && line="$line gdl ${gdl_tests};"
[ -n "${plink_tests:-}" ] && [ -n "${gdl_tests:-}" ] && [ "$plink_tests" != "$gdl_tests" ] && line="$line DIFFER;"
echo "${line%;}"
awk -F'\t' -v pairs="$PAIRS" 'NR == 1 { printf "%-9s %7s %9s %9s %14s %12s %8s  %s\n", "tool", "threads", "wall s", "cpu s", "pairs/s", "peak RSS MB", "rows", "planted pair ranks"; next }
    { printf "%-9s %7s %9.2f %9.2f %14s %12.1f %8s  %s\n", $1, $2, $3, $4, ($3 > 0 ? sprintf("%.0f", pairs / $3) : "-"), $5, $6, $7; w[$1, $2] = $3; if (!($2 in t)) { t[$2] = 1; order[++nt] = $2 } }
    END { for (i = 1; i <= nt; i++) { x = order[i]; if ((("gdl", x) in w) && (("plink1.9", x) in w) && w["gdl", x] > 0)
            printf "plink / gdl wall, %s thread(s): %.2f\n", x, w["plink1.9", x] / w["gdl", x] } }' "$DIR/epistasis.tsv"
