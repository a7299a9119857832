#!/bin/sh
# make bench-genotype: gdl's genotype models (every configs/genotype-*.json) against the
# baselines a statistician runs first (penalised logistic / linear regression, the allelic
# chi-square), on the same folds, over a grid of simulated cohorts, one semi-real one (effects
# planted on 1000 Genomes genotypes) and a real label (AFR vs the other super-populations).
#
# Per scenario: gdl simulate genotypes (or tests/bench/genotype_baselines.py plant), gdl encode
# --maf 0.01, then for each config gdl train --folds 5 --refit (out-of-fold predictions, the
# folds of the first config; the others must write the same folds file) and gdl eval (pooled
# out-of-fold ROC AUC; r2 and pearson for the quantitative trait), gdl attribute gradxinput and
# ism of the refit model; then genotype_baselines.py run: L1 / L2 / elastic-net logistic
# regression (LassoCV / RidgeCV / ElasticNetCV for the trait) with the penalty chosen by inner
# 3-fold CV, and the ceiling (the truth's own features), on gdl's folds; and the ranks of the
# planted additive variants by chi-square and by each attribution.
#
# Usage: bench_genotype.sh GDL [quick|full]
#   quick (~15 min on 2 cores): additive n=1000/m=1000 and n=3000/m=10000, every other scenario
#         at n=1000, m=1000; ism over 50 background samples (not 100); a gdl train or attribute
#         call gets BENCH_TRAIN_LIMIT seconds [180], and a config (or its ism) that ran over, or
#         would take twice that by its seconds per sample x column so far, is skipped (its rows
#         say so).
#   full: additive on n {1000, 3000, 10000} x m {1000, 10000, 75000}, the others at n=2000,
#         m=5000, no time limit (hours: the CNN-RNN config alone takes ~10 min at 2,000 x 5,000).
# Environment: BENCH_CONFIGS (config files, default configs/genotype-*.json), BENCH_ONLY (an
# awk regex of scenario names to run), BENCH_TRAIN_LIMIT (seconds, 0 = none), BENCH_OUT
# (default build/bench), BENCH_SHARED (default ../shared/data/1kg_chr1 beside the repository).
# Output: the table on stdout and in $BENCH_OUT/genotype.tsv (scenario, n, m, model, metric,
# value; n and m are the encoded dataset's samples and columns), progress on stderr, each
# scenario's files in $BENCH_OUT/genotype/SCENARIO/.
set -u
GDL=${1:?usage: bench_genotype.sh GDL [quick|full]}
MODE=${2:-quick}
case $MODE in quick | full) ;; *) echo "bench_genotype.sh: mode is quick or full, not '$MODE'" >&2; exit 1 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
BASE=$HERE/genotype_baselines.py
OUT=${BENCH_OUT:-$ROOT/build/bench}
W=$OUT/genotype
TSV=$OUT/genotype.tsv
SHARED=${BENCH_SHARED:-$ROOT/../shared/data/1kg_chr1}
ONLY=${BENCH_ONLY:-.}
if [ "$MODE" = quick ]; then LIMIT=${BENCH_TRAIN_LIMIT:-180}; else LIMIT=${BENCH_TRAIN_LIMIT:-0}; fi
ATTR_OPTS=""
[ "$MODE" = quick ] && ATTR_OPTS="--backgrounds 50"   # ism's background samples [100]
CONFIGS=${BENCH_CONFIGS:-$(ls "$ROOT"/configs/genotype-*.json 2>/dev/null)}
[ -n "$CONFIGS" ] || { echo "bench_genotype.sh: no configs/genotype-*.json" >&2; exit 1; }
$PY -c 'import sklearn, scipy, numpy' 2>/dev/null ||
    { echo "bench-genotype needs Debian's python3-sklearn python3-scipy python3-numpy" >&2; exit 1; }
mkdir -p "$W"
printf 'scenario\tn\tm\tmodel\tmetric\tvalue\n' >"$TSV"
: >"$W/skipped"   # per config and config:method: "KEY<TAB>over<TAB>scenario", "KEY<TAB>rate<TAB>s per n x m"
log() { echo "[bench-genotype] $*" >&2; }

# limited SECONDS CMD...: CMD under timeout when SECONDS > 0 (exit 124 when it ran over)
limited() {
    t=$1; shift
    if [ "$t" -gt 0 ]; then timeout "$t" "$@"; else "$@"; fi
}

# over KEY N M: with a limit, whether KEY (a config, or config:method) ran over it before, or
# would now take twice that by its slowest seconds per sample x column so far (an overestimate
# at first: small runs pay a fixed cost); prints the reason
over() {
    [ "$LIMIT" -gt 0 ] || return 1
    awk -F'\t' -v k="$1" -v nm="$(($2 * $3))" -v lim="$LIMIT" '
        $1 == k && $2 == "over" { print "over " lim "s on " $3; f = 1; exit }
        $1 == k && $2 == "rate" && $3 > r { r = $3 }
        END { if (!f && r * nm > 2 * lim) { printf "predicted %.0fs > 2 x %ss\n", r * nm, lim; f = 1 } exit !f }' "$W/skipped"
}
# ran KEY N M SECONDS | ran_over KEY SCEN
ran() { awk -v k="$1" -v s="$4" -v nm="$(($2 * $3))" 'BEGIN { printf "%s\trate\t%.6g\n", k, s / nm }' >>"$W/skipped"; }
ran_over() { printf '%s\tover\t%s\n' "$1" "$2" >>"$W/skipped"; }

# row SCEN N M MODEL METRIC VALUE
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TSV"; }

# evaluate SCEN DIR TARGET: the dataset DIR/data.gdl (and DIR/truth.tsv when there is one)
# through every config and the baselines
evaluate() {
    scen=$1 d=$2 target=$3
    "$GDL" inspect --catalog "$d/data.gdl" >"$d/catalog.tsv" || { row "$scen" NA NA gdl error "inspect failed"; return; }
    m=$(($(wc -l <"$d/catalog.tsv") - 1))
    rm -rf "$d/npy"
    "$GDL" export -q --npy "$d/npy" "$d/data.gdl" || { row "$scen" NA "$m" gdl error "export failed"; return; }
    n=$(($(wc -l <"$d/npy/ids.tsv") - 1))
    log "$scen: $n samples x $m columns ($target)"
    folds="" attrs=""
    for cfg in $CONFIGS; do
        c=$(basename "$cfg" .json)
        if why=$(over "$c" "$n" "$m"); then
            log "$scen: $c: skipped ($why)"
            row "$scen" "$n" "$m" "$c" skipped "$why"
            continue
        fi
        t0=$(date +%s)
        limited "$LIMIT" "$GDL" train -q -c "$cfg" -d "$d/data.gdl" --folds 5 --folds-out "$d/$c.folds.tsv" \
            --oof "$d/$c.oof.tsv" -o "$d/$c.model.gdl" --refit -@ 2 2>"$d/$c.train.err"
        rc=$?
        secs=$(($(date +%s) - t0))
        if [ $rc = 124 ]; then
            log "$scen: $c: gdl train ran over ${LIMIT}s; not run again"
            ran_over "$c" "$scen"
            row "$scen" "$n" "$m" "$c" timeout "train > ${LIMIT}s"
            continue
        elif [ $rc != 0 ]; then
            msg=$(grep . "$d/$c.train.err" | tail -1)
            log "$scen: $c: gdl train failed: $msg"
            row "$scen" "$n" "$m" "$c" error "$msg"
            continue
        fi
        if [ -z "$folds" ]; then folds=$d/$c.folds.tsv
        elif ! cmp -s "$folds" "$d/$c.folds.tsv"; then
            log "$scen: $c: its folds differ from $(basename "$folds"); its metrics are on its own folds"
            row "$scen" "$n" "$m" "$c" warning "folds differ from the first config's"
        fi
        "$GDL" eval -q -p "$d/$c.oof.tsv" -o "$d/$c.metrics.json" >/dev/null 2>"$d/$c.eval.err" &&
            $PY "$BASE" metrics --json "$d/$c.metrics.json" >"$d/$c.metrics.tsv" ||
            { row "$scen" "$n" "$m" "$c" error "eval: $(tail -1 "$d/$c.eval.err")"; continue; }
        while IFS='	' read -r k v; do row "$scen" "$n" "$m" "$c" "$k" "$v"; done <"$d/$c.metrics.tsv"
        row "$scen" "$n" "$m" "$c" seconds "$secs"
        ran "$c" "$n" "$m" "$secs"
        log "$scen: $c: $(tr '\t\n' '= ' <"$d/$c.metrics.tsv")(${secs}s)"
        [ -s "$d/truth.tsv" ] || continue
        for meth in gradxinput ism; do
            if why=$(over "$c:$meth" "$n" "$m"); then
                log "$scen: $c: attribute --method $meth skipped ($why)"
                row "$scen" "$n" "$m" "$c:$meth" skipped "$why"
                continue
            fi
            t0=$(date +%s)
            # shellcheck disable=SC2086
            limited "$LIMIT" "$GDL" attribute -q -m "$d/$c.model.gdl" -d "$d/data.gdl" --method $meth -@ 2 \
                $ATTR_OPTS -o "$d/$c.$meth.tsv" 2>"$d/$c.$meth.err"
            rc=$?
            if [ $rc = 0 ]; then
                attrs="$attrs --attr $c:$meth=$d/$c.$meth.tsv"
                ran "$c:$meth" "$n" "$m" $(($(date +%s) - t0))
            elif [ $rc = 124 ]; then
                log "$scen: $c: gdl attribute --method $meth ran over ${LIMIT}s; not run again"
                ran_over "$c:$meth" "$scen"
                row "$scen" "$n" "$m" "$c:$meth" timeout "attribute > ${LIMIT}s"
            else
                row "$scen" "$n" "$m" "$c:$meth" error "attribute: $(grep . "$d/$c.$meth.err" | tail -1)"
            fi
        done
    done
    screen=0
    [ "$m" -gt 30000 ] && screen=20000
    set -- --npy "$d/npy" --catalog "$d/catalog.tsv" --folds "${folds:-$d/none}" --screen $screen --out "$d/baselines.tsv"
    [ -s "$d/truth.tsv" ] && set -- "$@" --truth "$d/truth.tsv"
    # shellcheck disable=SC2086
    if $PY "$BASE" run "$@" $attrs >"$d/baselines.log" 2>"$d/baselines.err"; then
        while IFS='	' read -r mod k v; do row "$scen" "$n" "$m" "$mod" "$k" "$v"; done <"$d/baselines.tsv"
        log "$scen: baselines: $(awk -F'\t' '$2 == "roc_auc" || $2 == "r2" {printf "%s=%s ", $1, $3}' "$d/baselines.tsv")"
    else
        log "$scen: baselines failed: $(tail -1 "$d/baselines.err")"
        row "$scen" "$n" "$m" baselines error "$(tail -1 "$d/baselines.err")"
    fi
}

# sim NAME TARGET N M SIMULATE-ARGS...: a simulated scenario
sim() {
    scen=$1 target=$2 sn=$3 sm=$4; shift 4
    echo "$scen" | awk -v re="$ONLY" '$0 ~ re {f = 1} END {exit !f}' || return 0
    d=$W/$scen
    mkdir -p "$d"
    log "$scen: gdl simulate genotypes -n $sn -m $sm $*"
    if ! "$GDL" simulate genotypes -q -o "$d/sim" -n "$sn" -m "$sm" "$@" 2>"$d/sim.err" ||
       ! "$GDL" encode -q "$d/sim.vcf.gz" --maf 0.01 --genes "$d/sim.genes.bed" --pheno "$d/sim.pheno.tsv" \
            --pheno-col "$target" -o "$d/data.gdl" 2>"$d/encode.err"; then
        msg=$(cat "$d/sim.err" "$d/encode.err" 2>/dev/null | grep . | tail -1)
        log "$scen: failed: $msg"
        row "$scen" "$sn" "$sm" simulate error "$msg"
        return 0
    fi
    cp "$d/sim.truth.tsv" "$d/truth.tsv"
    cp "$d/sim.pheno.tsv" "$d/pheno.tsv"
    evaluate "$scen" "$d" "$target"
}

# the 1000 Genomes slice: effects planted on its genotypes, and the population label
real() {
    vcf=$(ls "$SHARED"/*.vcf.gz 2>/dev/null | head -1)
    if [ -z "$vcf" ]; then
        log "semi-real and population scenarios skipped: no $SHARED/*.vcf.gz"
        return 0
    fi
    scen=semi-real-1kg
    if echo "$scen" | awk -v re="$ONLY" '$0 ~ re {f = 1} END {exit !f}'; then
        d=$W/$scen
        mkdir -p "$d"
        log "$scen: 10 additive SNPs (MAF > 0.05) planted on $(basename "$vcf")"
        if "$GDL" encode -q "$vcf" --maf 0.01 -o "$d/geno.gdl" 2>"$d/encode.err" &&
           "$GDL" inspect --catalog "$d/geno.gdl" >"$d/geno.catalog.tsv" && rm -rf "$d/geno" &&
           "$GDL" export -q --npy "$d/geno" "$d/geno.gdl" &&
           $PY "$BASE" plant --npy "$d/geno" --catalog "$d/geno.catalog.tsv" --prefix "$d/plant" --causal 10 --seed 1 2>>"$d/encode.err" &&
           "$GDL" encode -q "$vcf" --maf 0.01 --pheno "$d/plant.pheno.tsv" --pheno-col disease -o "$d/data.gdl" 2>>"$d/encode.err"; then
            cp "$d/plant.truth.tsv" "$d/truth.tsv"
            cp "$d/plant.pheno.tsv" "$d/pheno.tsv"
            evaluate "$scen" "$d" disease
        else
            log "$scen: failed: $(grep . "$d/encode.err" | tail -1)"
            row "$scen" NA NA plant error "$(grep . "$d/encode.err" | tail -1)"
        fi
    fi
    scen=population-afr
    if [ -s "$SHARED/panel.tsv" ] && echo "$scen" | awk -v re="$ONLY" '$0 ~ re {f = 1} END {exit !f}'; then
        d=$W/$scen
        mkdir -p "$d"
        rm -f "$d/truth.tsv"
        log "$scen: AFR vs the other super-populations ($(basename "$SHARED")/panel.tsv)"
        if $PY "$BASE" population --panel "$SHARED/panel.tsv" --pheno "$d/pheno.tsv" &&
           "$GDL" encode -q "$vcf" --maf 0.01 --pheno "$d/pheno.tsv" --pheno-col afr -o "$d/data.gdl" 2>"$d/encode.err"; then
            evaluate "$scen" "$d" afr
        else
            row "$scen" NA NA encode error "$(grep . "$d/encode.err" | tail -1)"
        fi
    fi
}

start=$(date +%s)
log "mode $MODE; configs: $(for c in $CONFIGS; do basename "$c" .json; done | tr '\n' ' ')(limit ${LIMIT}s per train/attribute call, 0 = none)"
if [ "$MODE" = quick ]; then
    sim additive-n1000-m1000 disease 1000 1000 -k 10 -p 0 -s 1
    MN=1000 MM=1000
else
    for sn in 1000 3000 10000; do
        for sm in 1000 10000 75000; do sim additive-n$sn-m$sm disease $sn $sm -k 10 -p 0 -s 1; done
    done
    MN=2000 MM=5000
fi
sim few-large "disease" $MN $MM -k 3 -p 0 -s 2
sim polygenic "disease" $MN $MM -k 500 -p 0 --effects normal -s 3
sim xor-pairs "disease" $MN $MM -k 0 -p 2 --pair-kind xor -s 4
sim xor-pairs+additive "disease" $MN $MM -k 10 -p 2 --pair-kind xor -s 5
sim rare-causal "disease" $MN $MM -k 10 -p 0 --causal-maf 0.005,0.05 -s 6
sim cases-20pct "disease" $MN $MM -k 10 -p 0 --case-frac 0.2 -s 7
sim quantitative "trait" $MN $MM -k 10 -p 0 -s 8
sim ld-additive "disease" $MN $MM -k 10 -p 0 --ld 0.95 -s 9
sim ld-xor-pairs "disease" $MN $MM -k 0 -p 2 --pair-kind xor --ld 0.95 -s 10
real
[ "$MODE" = quick ] && sim additive-n3000-m10000 disease 3000 10000 -k 10 -p 0 -s 1

# the table: one line per scenario and model, the metrics side by side; then the ranks
$PY - "$TSV" "$MODE" "$(($(date +%s) - start))" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
scen, cell, ranks, notes = [], {}, {}, []
for s, n, m, model, metric, value in rows:
    if s not in [x[0] for x in scen]:
        scen.append((s, n, m))
    if metric in ("roc_auc", "r2", "pearson", "seconds"):
        cell.setdefault((s, model), {})[metric] = value
    elif metric.startswith("planted") or metric.startswith("pair_members"):
        ranks.setdefault(s, {}).setdefault(model, {})[metric] = value
    elif metric in ("error", "timeout", "skipped", "warning", "truth_not_in_data"):
        notes.append((s, model, metric, value))
        cell.setdefault((s, model), {})["note"] = metric
print("gdl genotype scenario benchmark (%s mode, %s s): pooled out-of-fold metrics on gdl's 5 folds" % (sys.argv[2], sys.argv[3]))
print("%-22s %6s %6s  %-26s %8s %8s %8s %8s" % ("scenario", "n", "m", "model", "roc_auc", "r2", "pearson", "seconds"))
for s, n, m in scen:
    for (s2, model), v in cell.items():
        if s2 != s:
            continue
        print("%-22s %6s %6s  %-26s %8s %8s %8s %8s" % (s, n, m, model, v.get("roc_auc", v.get("note", "")),
              v.get("r2", ""), v.get("pearson", ""), v.get("seconds", "")))
print()
print("planted additive variants: how many the allelic chi-square (quantitative: correlation test) ranks in its")
print("top 10, and how many of those each refit model's attribution ranks in its top 10 (planted in its top 10 overall)")
for s, n, m in scen:
    r = ranks.get(s)
    if not r or "chi2" not in r:
        continue
    c = r["chi2"]
    parts = []
    for model, v in r.items():
        if model == "chi2":
            continue
        parts.append("%s %s (%s)" % (model, v.get("planted_top10_of_chi2_top10", "?"), v.get("planted_top10", "?")))
    pm = [k for k in c if k.startswith("pair_members")]
    pairs = ""
    if pm:
        k = pm[0]
        pairs = "; pair members in %s: chi2 %s, %s" % (k.replace("pair_members_", ""), c[k], ", ".join(
            "%s %s" % (model, v.get(k, "?")) for model, v in r.items() if model != "chi2"))
    if c.get("planted", "0") == "0":
        print("  %-22s no additive variant%s" % (s, pairs))
    else:
        print("  %-22s planted %s, in chi2 top10: %s; of those in gdl top10: %s%s" % (
            s, c.get("planted", "?"), c.get("planted_top10", "?"), ", ".join(parts) or "-", pairs))
if notes:
    print()
    print("notes:")
    for s, model, metric, value in notes:
        print("  %s %s: %s %s" % (s, model, metric, value))
EOF
echo "(rows: $TSV)"
