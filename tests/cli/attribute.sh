# gdl attribute on genotypes: a simulated cohort with 5 additive variants and 2 interacting
# pairs, a small MLP trained by gdl train; the acceptance checks of issue 7 (additive variants and
# their genes ranked high by gradxinput and ism, both pairs on top of --pairs 50 while --assoc
# calls their members unremarkable), then the table formats and the error cases.
. "$(dirname "$0")/lib.sh"
cfg="$(dirname "$0")/../data/attr/geno-mlp.json"
P=$TMP/P

expect "simulate cohort" 0 "$GDL" simulate genotypes -o "$P" -n 4000 -m 300 -k 5 -p 2 -s 11 -q
expect "encode cohort" 0 "$GDL" encode "$P.vcf.gz" --maf 0.01 --genes "$P.genes.bed" \
    --pheno "$P.pheno.tsv" --pheno-col disease -o "$TMP/d.gdl" -q
expect "train model" 0 "$GDL" train -c "$cfg" -d "$TMP/d.gdl" -o "$TMP/m.gdl" -q
awk -F'\t' '$1 == "additive" {print $2}' "$P.truth.tsv" >"$TMP/additive"
awk -F'\t' '$1 == "additive" {print $5}' "$P.truth.tsv" | sort -u >"$TMP/additive_genes"
awk -F'\t' '$1 == "pair" {print $2; print $8}' "$P.truth.tsv" >"$TMP/pair_members"
lines "truth lists 5 additive variants" "$TMP/additive" 5

# in_top N COLUMN TABLE LIST: how many names of LIST are among the first N rows' COLUMN
in_top() {
    awk -F'\t' -v n="$1" -v c="$2" 'NR == FNR {want[$1] = 1; next} FNR > 1 && FNR <= n + 1 && ($c in want) {k++}
        END {print k + 0}' "$4" "$3"
}
# at_least NAME GOT WANT
at_least() { if [ "$2" -ge "$3" ]; then pass "$1 ($2)"; else fail "$1" "got $2, wanted at least $3"; fi; }

for m in gradxinput ism; do
    expect "attribute --method $m" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --method $m -o "$TMP/v.$m.tsv"
    at_least "$m: additive variants in the top 10" "$(in_top 10 2 "$TMP/v.$m.tsv" "$TMP/additive")" 4
done
contains "variant table header" "$TMP/v.gradxinput.tsv" "$(printf 'rank\tvariant\tchrom\tpos\tgene\tscore\timportance\taf')"
nv=$("$GDL" inspect "$TMP/d.gdl" --json | sed -n 's/.*"input:genotypes.variants":[^0-9]*\([0-9]*\).*/\1/p')
lines "one row per variant" "$TMP/v.gradxinput.tsv" $((nv + 1))
awk -F'\t' 'NR == 2 && $1 == 1 && $7 == "1.0000" {ok = 1} END {exit !ok}' "$TMP/v.gradxinput.tsv" &&
    pass "top variant has importance 1" || fail "top variant has importance 1"

expect "gene level with a null" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --level gene \
    --null 200 -o "$TMP/genes.tsv"
ng=$(wc -l <"$TMP/additive_genes")
at_least "genes of the additive variants in the top 10 genes" "$(in_top 10 2 "$TMP/genes.tsv" "$TMP/additive_genes")" "$ng"
contains "gene table header" "$TMP/genes.tsv" "$(printf 'rank\tgene\tscore\tn_variants\ttop_variant\tp_value\tq_value')"
awk -F'\t' 'NR > 1 && ($6 <= 0 || $6 > 1 || $7 < $6 - 1e-9) {bad = 1} END {exit bad}' "$TMP/genes.tsv" &&
    pass "p-values in (0, 1], q >= p" || fail "p-values in (0, 1], q >= p"

expect "pairs among the top 50" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --method ism --pairs 50 \
    --backgrounds 60 -o "$TMP/pairs.tsv"
contains "pair table header" "$TMP/pairs.tsv" "$(printf 'rank\tvariant_a\tvariant_b\tgene_a\tgene_b\tinteraction')"
lines "50 choose 2 pairs" "$TMP/pairs.tsv" 1226
found=0
for k in 1 2; do
    a=$(awk -F'\t' -v k=$k '$1 == "pair" && ++n == k {print $2}' "$P.truth.tsv")
    b=$(awk -F'\t' -v k=$k '$1 == "pair" && ++n == k {print $8}' "$P.truth.tsv")
    awk -F'\t' -v a="$a" -v b="$b" 'NR > 1 && NR <= 6 && (($2 == a && $3 == b) || ($2 == b && $3 == a)) {ok = 1}
        END {exit !ok}' "$TMP/pairs.tsv" && found=$((found + 1))
done
at_least "both planted pairs in the top 5" $found 2

expect "--assoc" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --assoc -o "$TMP/assoc.tsv"
awk -F'\t' 'NR == FNR {want[$1] = 1; next} FNR > 1 && ($2 in want) && $9 < 0.01 {bad = 1} END {exit bad}' \
    "$TMP/pair_members" "$TMP/assoc.tsv" && pass "pair members have unremarkable single-marker p-values" ||
    fail "pair members have unremarkable single-marker p-values"
awk -F'\t' 'NR == FNR {want[$1] = 1; next} FNR > 1 && ($2 in want) && $9 < 1e-6 {k++} END {exit k < 3}' \
    "$TMP/additive" "$TMP/assoc.tsv" && pass "additive variants have small p-values" ||
    fail "additive variants have small p-values"

# other methods and selections run and keep the table shape; --signed and --cases change it
printf 'S00001\nS00002\n# a comment\nS00010\n' >"$TMP/ids"
for m in saliency ig trace; do
    expect "attribute --method $m" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --method $m --ids "$TMP/ids" \
        -o "$TMP/x.$m.tsv"
done
expect "--ids" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --ids "$TMP/ids" --method ig --baseline mean --steps 8 -o "$TMP/ids.tsv"
lines "--ids table" "$TMP/ids.tsv" $((nv + 1))
expect "--cases --signed" 0 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --cases --signed -o "$TMP/signed.tsv"
awk -F'\t' 'NR > 1 && $6 < 0 {neg = 1} END {exit !neg}' "$TMP/signed.tsv" && pass "--signed gives negative scores" ||
    fail "--signed gives negative scores"

# trace through the adenocarcinoma study's final model (configs/genotype-cnn-rnn.json: convolutions,
# a bidirectional GRU returning the sequence, an LSTM, dense layers) trained 5 epochs on a small
# cohort: exits 0, one row per variant, every score finite and >= 0, not all zero
expect "small cohort" 0 "$GDL" simulate genotypes -o "$TMP/R" -n 600 -m 256 -k 5 -s 12 -q
expect "encode small cohort" 0 "$GDL" encode "$TMP/R.vcf.gz" --maf 0.01 --pheno "$TMP/R.pheno.tsv" --pheno-col disease \
    -o "$TMP/r.gdl" -q
expect "train genotype-cnn-rnn" 0 "$GDL" train -q -c "$(dirname "$0")/../../configs/genotype-cnn-rnn.json" \
    -d "$TMP/r.gdl" -o "$TMP/rnn.gdl" --epochs 5
expect "trace through GRU and LSTM" 0 "$GDL" attribute -m "$TMP/rnn.gdl" -d "$TMP/r.gdl" --method trace -o "$TMP/rt.tsv"
nr=$("$GDL" inspect "$TMP/r.gdl" --json | sed -n 's/.*"input:genotypes.variants":[^0-9]*\([0-9]*\).*/\1/p')
lines "trace: one row per variant" "$TMP/rt.tsv" $((nr + 1))
awk -F'\t' 'NR > 1 {if ($6 !~ /^[0-9.e+-]+$/ || $6 < 0) bad = 1; if ($6 > 0) pos = 1} END {exit bad || !pos}' "$TMP/rt.tsv" &&
    pass "trace scores finite, >= 0, not all zero" || fail "trace scores finite, >= 0, not all zero"

# errors: one line naming the file, exit 2, no output left behind
expect "-h exits 0" 0 "$GDL" attribute -h
contains "usage names the score" "$TMP/out" "logit"
expect "unknown method is a usage error" 1 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --method nope
expect "missing -d is a usage error" 1 "$GDL" attribute -m "$TMP/m.gdl"
expect "unknown target" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --target nope -o "$TMP/e1.tsv"
contains "unknown target named" "$TMP/err" "no target 'nope'"
[ ! -e "$TMP/e1.tsv" ] && pass "no output after an error" || fail "no output after an error"
printf 'S00001\nnobody\n' >"$TMP/badids"
expect "unknown ID" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --ids "$TMP/badids" -o "$TMP/e2.tsv"
contains "unknown ID names file and line" "$TMP/err" "badids:2: ID 'nobody'"
expect "other cohort" 0 "$GDL" simulate genotypes -o "$TMP/Q" -n 50 -m 300 -s 3 -q
expect "encode other cohort" 0 "$GDL" encode "$TMP/Q.vcf.gz" --pheno "$TMP/Q.pheno.tsv" --pheno-col disease -o "$TMP/q.gdl" -q
expect "model/dataset mismatch" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/q.gdl" -o "$TMP/e3.tsv"
contains "mismatch explained" "$TMP/err" "q.gdl"
expect "sequence options on genotypes" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --ids "$TMP/ids" --svg "$TMP/s" -o "$TMP/e4.tsv"
expect "shuffle baseline needs sequences" 2 "$GDL" attribute -m "$TMP/m.gdl" -d "$TMP/d.gdl" --method ig --baseline shuffle -o "$TMP/e5.tsv"
finish
