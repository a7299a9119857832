# gdl eval -m MODEL -d DATA scores in memory: for a binary, a regression, a multi-class and a
# multi-target model (and two models averaged, and --regression forcing a kind) its per-target
# table and metrics.json equal those of gdl predict's file evaluated with -p, byte for byte
# (metrics.json's "file" apart, which names the dataset).
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
cfgs="$(dirname "$0")/../../configs"
T=$TMP

"$GDL" simulate genotypes -q -o "$T/g" -n 300 -m 200 -k 4 -p 0 -s 7 || fail "simulate genotypes"
"$GDL" encode -q "$T/g.vcf.gz" --pheno "$T/g.pheno.tsv" --pheno-col disease -o "$T/bin.gdl" || fail "encode binary"
"$GDL" encode -q "$T/g.vcf.gz" --pheno "$T/g.pheno.tsv" --pheno-col trait -o "$T/reg.gdl" || fail "encode trait"
"$GDL" simulate sequences -q -o "$T/s" --n 64 --length 120 --motif TGACTCAT --motif CACGTG --fraction 0.5 --seed 3 &&
    "$GDL" encode -q "$T/s.fa" -l "$T/s.labels.tsv" -o "$T/seq.gdl" || fail "sequence data"
"$GDL" encode -q --task center-base --ref "$T/s.fa" --flank 10 --stride 9 -o "$T/center.gdl" || fail "center-base data"

# same_eval CASE DATA MODEL... [-- EVAL OPTIONS]: eval -m against predict then eval -p
same_eval() {
    name=$1 data=$2
    shift 2
    ms= mp=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do ms="$ms -m $1"; shift; done
    [ $# -gt 0 ] && shift
    # shellcheck disable=SC2086
    "$GDL" predict -q $ms -d "$data" -o "$T/$name.pred.tsv" || fail "$name: predict"
    # shellcheck disable=SC2086
    "$GDL" eval -q -p "$T/$name.pred.tsv" --tsv "$T/$name.p.tsv" -o "$T/$name.p.json" "$@" >/dev/null 2>&1 ||
        fail "$name: eval -p"
    # shellcheck disable=SC2086
    expect "$name: eval -m" 0 "$GDL" eval -q $ms -d "$data" --tsv "$T/$name.m.tsv" -o "$T/$name.m.json" "$@"
    same "$name: eval -m table = eval -p of predict's file" "$T/$name.p.tsv" "$T/$name.m.tsv"
    grep -v '"file":' "$T/$name.p.json" >"$T/a.json"; grep -v '"file":' "$T/$name.m.json" >"$T/b.json"
    same "$name: eval -m metrics.json = eval -p's" "$T/a.json" "$T/b.json"
    "$PYTHON" -c 'import json, sys; assert json.load(open(sys.argv[1]))["file"] == sys.argv[2]' "$T/$name.m.json" "$data" &&
        pass "$name: metrics.json names the dataset" || fail "$name: metrics.json's file"
}

"$GDL" train -q -c "$cfgs/genotype-linear.json" -d "$T/bin.gdl" -o "$T/bin1.gdl" --epochs 3 --seed 1 &&
    "$GDL" train -q -c "$cfgs/genotype-linear.json" -d "$T/bin.gdl" -o "$T/bin2.gdl" --epochs 3 --seed 2 ||
    fail "train binary"
same_eval binary "$T/bin.gdl" "$T/bin1.gdl"
same_eval averaged "$T/bin.gdl" "$T/bin1.gdl" "$T/bin2.gdl"
same_eval forced "$T/bin.gdl" "$T/bin1.gdl" -- --regression all
same_eval bootstrap "$T/bin.gdl" "$T/bin1.gdl" -- -b 20 --threshold best-f1
"$GDL" train -q -c "$cfgs/genotype-linear.json" -d "$T/reg.gdl" -o "$T/reg.gdl.m" --epochs 3 || fail "train trait"
same_eval regression "$T/reg.gdl" "$T/reg.gdl.m"
"$PYTHON" -c 'import json, sys; t = json.load(open(sys.argv[1]))["targets"]["trait"]; assert t["kind"] == "regression"' \
    "$T/regression.m.json" && pass "the trait is a regression target" || fail "trait kind"
"$GDL" train -q -c "$cfgs/simple-cnn.json" -d "$T/seq.gdl" -o "$T/seq.m" --epochs 2 || fail "train sequences"
same_eval multitarget "$T/seq.gdl" "$T/seq.m"
"$GDL" train -q -c "$cfgs/center-base.json" -d "$T/center.gdl" -o "$T/center.m" --epochs 2 || fail "train center base"
same_eval multiclass "$T/center.gdl" "$T/center.m"
"$PYTHON" -c 'import json, sys; t = json.load(open(sys.argv[1]))["targets"]; assert next(iter(t.values()))["kind"] == "multiclass"' \
    "$T/multiclass.m.json" && pass "the centre base is a multi-class target" || fail "centre base kind"

# errors as with -p: an unknown target in --binary, a regression target forced binary
expect "eval -m --binary names no target: exit 2" 2 "$GDL" eval -m "$T/reg.gdl.m" -d "$T/reg.gdl" --binary nosuch
contains "unknown --binary target named" "$TMP/err" "--binary names 'nosuch', which has no 'nosuch:label' column"
expect "eval -m --binary on the trait: exit 2" 2 "$GDL" eval -m "$T/reg.gdl.m" -d "$T/reg.gdl" --binary trait
contains "forced binary: the example named" "$TMP/err" "$T/reg.gdl: example 1: trait:label is"
finish
