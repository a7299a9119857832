# gdl simulate genotypes' model options: the defaults' bytes unchanged (checksums pinned before
# the options existed), linkage disequilibrium measured (r^2 of neighbours), the exact case
# fraction, causal and pair frequency ranges, normal effects, h2, xor pairs (no marginal
# signal, a strong joint one), determinism, and bad values as usage errors naming the option.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-/usr/bin/python3}
root=$(cd "$(dirname "$0")/../.." && pwd)
T=$TMP

# py NAME SCRIPT ARGS...: a NumPy check; it prints what it measured and exits 0 when it holds
py() {
    local name=$1
    shift
    if "$PY" - "$@" >"$T/py.out" 2>&1; then pass "$name: $(tail -1 "$T/py.out")"
    else fail "$name" "$(cat "$T/py.out")"; fi
}

# --- the defaults are today's files ----------------------------------------------------------
# md5 of the files gdl 0.1.0 wrote for this command, before --ld and the others existed (the
# VCF's md5 is of its text, so zlib's compression level or version cannot move it)
"$GDL" simulate genotypes -q -o "$T/pin" -n 200 -m 300 -k 5 -p 2 -s 9
sums=$(for f in pheno.tsv truth.tsv genes.bed; do md5sum <"$T/pin.$f" | cut -c1-32; done; gzip -dc "$T/pin.vcf.gz" | md5sum | cut -c1-32)
want="c76fcf3d6e3ffa90db0efdff263829ef 48f3009e66983fee37fdf6bcc93d3876 84ae957b312f3d75040d61b08fa83862 88a6c34fadf0a349af371b5210b99c6e"
[ "$(echo $sums)" = "$want" ] && pass "default cohort: pinned checksums (pheno, truth, genes, VCF text)" ||
    fail "default cohort: pinned checksums" "got $(echo $sums)"
"$GDL" simulate genotypes -q -o "$T/pin2" -n 200 -m 300 -k 5 -p 2 -s 9 --ld 0 --ld-block 50 --case-frac 0.5 \
    --causal-maf 0.05,0.5 --pair-maf 0.2,0.5 --effects fixed --h2 0.5 --pair-kind product
ok=1
for f in vcf.gz vcf.gz.tbi pheno.tsv truth.tsv genes.bed; do cmp -s "$T/pin.$f" "$T/pin2.$f" || ok=0; done
[ $ok = 1 ] && pass "every default spelled out: the same bytes" || fail "every default spelled out: the same bytes"
# data/cohort.* (data/README.md's command) is still what the simulator writes
"$GDL" simulate genotypes -q -o "$T/cohort" -n 1000 -m 800 -k 5 -p 2 -s 7
ok=1
for f in pheno.tsv truth.tsv genes.bed; do cmp -s "$T/cohort.$f" "$root/data/cohort.$f" || ok=0; done
gzip -dc "$T/cohort.vcf.gz" >"$T/c1.vcf"; gzip -dc "$root/data/cohort.vcf.gz" >"$T/c2.vcf"
cmp -s "$T/c1.vcf" "$T/c2.vcf" || ok=0
[ $ok = 1 ] && pass "data/cohort.* regenerates unchanged" || fail "data/cohort.* regenerates unchanged"

# --- linkage disequilibrium --------------------------------------------------------------------
# 2,000 samples x 2,000 variants (1,000 per chromosome) at RHO 0, 0.95 (blocks of 50) and
# 0.95 in blocks of 10; every call exported (no --maf), column j = v(j+1)
for c in "0 0 50" "95 0.95 50" "b10 0.95 10"; do
    set -- $c
    "$GDL" simulate genotypes -q -o "$T/ld$1" -n 2000 -m 2000 -k 5 -p 2 -s 5 --ld "$2" --ld-block "$3" &&
        "$GDL" encode -q "$T/ld$1.vcf.gz" -o "$T/ld$1.gdl" && "$GDL" export -q --npy "$T/ld$1" "$T/ld$1.gdl" ||
        fail "simulate + export --ld $2 --ld-block $3"
done
cat >"$T/ld.py" <<'EOF'
import sys, numpy as np
def load(d):
    g = np.load(d + "/input_genotypes.npy").astype(float)
    g[g == 255] = np.nan
    m = np.nanmean(g, axis=0)
    return np.where(np.isnan(g), m, g), m / 2
def r2(g, af, d, block, same_block=True):
    """mean r^2 of variant pairs d apart, both MAF > 0.05, on one chromosome, in one block (or
    straddling a boundary)"""
    M = g.shape[1]; maf = np.minimum(af, 1 - af); out = []
    for j in range(M - d):
        k = j + d
        if (j < M // 2) != (k < M // 2) or maf[j] <= 0.05 or maf[k] <= 0.05: continue
        if ((j % (M // 2)) // block == (k % (M // 2)) // block) != same_block: continue
        out.append(np.corrcoef(g[:, j], g[:, k])[0, 1] ** 2)
    return float(np.mean(out)), len(out)
EOF
py "--ld 0: neighbours uncorrelated" "$T/ld0" <<EOF
exec(open("$T/ld.py").read())
g, af = load(sys.argv[1])
m, n = r2(g, af, 1, 50)
assert m < 0.01, m
print(f"mean r^2 of {n} adjacent common pairs {m:.4f}")
EOF
py "--ld 0.95: neighbours correlate, less with distance" "$T/ld95" <<EOF
exec(open("$T/ld.py").read())
g, af = load(sys.argv[1])
v = {d: r2(g, af, d, 50)[0] for d in (1, 2, 5, 10, 20)}
assert v[1] > 0.3, v
assert v[1] > v[2] > v[5] > v[10] > v[20], v
print("mean r^2 at distance " + ", ".join(f"{d}: {x:.3f}" for d, x in v.items()))
EOF
py "--ld 0.95 --ld-block 10: blocks are independent" "$T/ldb10" <<EOF
exec(open("$T/ld.py").read())
g, af = load(sys.argv[1])
inside, n1 = r2(g, af, 1, 10)
across, n2 = r2(g, af, 1, 10, same_block=False)
assert inside > 0.3 and across < 0.01, (inside, across)
print(f"adjacent r^2 {inside:.3f} within a block ({n1} pairs), {across:.4f} across a boundary ({n2})")
EOF
py "--ld keeps each variant's frequency and Hardy-Weinberg" "$T/ld0" "$T/ld95" <<EOF
exec(open("$T/ld.py").read())
g0, af0 = load(sys.argv[1]); g1, af1 = load(sys.argv[2])
d = np.abs(af0 - af1)   # the same ALT frequencies p_j, drawn once from the seed
assert d.mean() < 0.01 and d.max() < 0.06, (d.mean(), d.max())
het = np.mean(np.abs(g1 - 1) < 1e-9, axis=0); hwe = 2 * af1 * (1 - af1)
rel = np.sum(het) / np.sum(hwe)
assert abs(rel - 1) < 0.01, rel
print(f"AF |RHO 0.95 - RHO 0| mean {d.mean():.4f}; heterozygotes / 2pq {rel:.4f}")
EOF

# --- case fraction ---------------------------------------------------------------------------
cases() { awk -F'\t' 'NR > 1 { s += $2 } END { print s }' "$1"; }
"$GDL" simulate genotypes -q -o "$T/cf" -n 1000 -m 500 -s 2 --case-frac 0.2
[ "$(cases "$T/cf.pheno.tsv")" = 200 ] && pass "--case-frac 0.2: 200 of 1000 cases" || fail "--case-frac 0.2: $(cases "$T/cf.pheno.tsv") cases"
"$GDL" simulate genotypes -q -o "$T/cf" -n 999 -m 500 -s 2 --case-frac 0.3
[ "$(cases "$T/cf.pheno.tsv")" = 300 ] && pass "--case-frac 0.3: 300 of 999 cases" || fail "--case-frac 0.3: $(cases "$T/cf.pheno.tsv") cases"
# h2 1 with one causal variant: the liability takes three values, ties broken by sample order
"$GDL" simulate genotypes -q -o "$T/cf" -n 1000 -m 500 -k 1 -p 0 -s 2 --case-frac 0.1 --h2 1
[ "$(cases "$T/cf.pheno.tsv")" = 100 ] && pass "--case-frac 0.1 with tied liabilities: 100 cases" ||
    fail "--case-frac 0.1 with ties: $(cases "$T/cf.pheno.tsv") cases"
awk -F'\t' 'NR > 1 && $2 == 1 { if (min == "" || $3 < min) min = $3 } NR > 1 && $2 == 0 { if (max == "" || $3 > max) max = $3 }
    END { exit !(min >= max) }' "$T/cf.pheno.tsv" && pass "cases are the top of the liability" || fail "cases are the top of the liability"

# --- frequency ranges, effects, h2 -------------------------------------------------------------
"$GDL" simulate genotypes -q -o "$T/rare" -n 300 -m 5000 -k 30 -p 3 -s 4 --causal-maf 0.005,0.05 --pair-maf 0.1,0.15
awk -F'\t' '$1 == "additive" { n++; if ($6 < 0.005 || $6 > 0.05) bad++ } END { exit !(n == 30 && !bad) }' "$T/rare.truth.tsv" &&
    pass "--causal-maf 0.005,0.05: all 30 in range" || fail "--causal-maf 0.005,0.05" "$(cut -f1,6 "$T/rare.truth.tsv" | tr '\n' ' ')"
awk -F'\t' '$1 == "pair" { n++; if ($6 < 0.1 || $6 > 0.15 || $10 < 0.1 || $10 > 0.15) bad++ } END { exit !(n == 3 && !bad) }' "$T/rare.truth.tsv" &&
    pass "--pair-maf 0.1,0.15: both members of 3 pairs in range" || fail "--pair-maf 0.1,0.15"
"$GDL" simulate genotypes -o "$T/wide" -n 100 -m 200 -k 30 -s 4 --causal-maf 0.45,0.46 2>"$T/err"
contains "too narrow a range warns" "$T/err" "genic variants with ALT frequency in [0.45, 0.46] for 30 additive variants"
"$GDL" simulate genotypes -q -o "$T/poly" -n 300 -m 5000 -k 500 -p 0 -s 4 --effects normal
awk -F'\t' '$1 == "additive" { n++; s += $7 * $7; if ($7 * $7 < 0.09) small++; if ($7 * $7 > 0.64) big++ }
    END { exit !(n == 500 && s / n > 0.3213 && s / n < 0.3253 && small > 100 && big > 10) }' "$T/poly.truth.tsv" &&
    pass "--effects normal: 500 effects, mean beta^2 = fixed effects' 0.3233, smaller and larger than [0.3, 0.8]" ||
    fail "--effects normal" "$(awk -F'\t' '$1 == "additive" { n++; s += $7 * $7 } END { print n, s / n }' "$T/poly.truth.tsv")"
for h in 0.2 0.8; do
    "$GDL" simulate genotypes -q -o "$T/h$h" -n 4000 -m 400 -k 10 -p 0 -s 8 --h2 "$h" &&
        "$GDL" encode -q "$T/h$h.vcf.gz" --pheno "$T/h$h.pheno.tsv" --pheno-col trait -o "$T/h$h.gdl" &&
        "$GDL" export -q --npy "$T/h$h" "$T/h$h.gdl"
    py "--h2 $h: the causal dosages explain that share of the trait" "$T/h$h" "$T/h$h.truth.tsv" "$h" <<'EOF'
import sys, numpy as np
g = np.load(sys.argv[1] + "/input_genotypes.npy").astype(float)
g[g == 255] = np.nan; g = np.where(np.isnan(g), np.nanmean(g, axis=0), g)
y = np.load(sys.argv[1] + "/labels.npy")[:, 0]
idx = [int(l.split("\t")[1][1:]) - 1 for l in open(sys.argv[2]) if l.startswith("additive")]
X = np.column_stack([np.ones(len(y)), g[:, idx]])
res = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
r2 = 1 - res.var() / y.var()
assert abs(r2 - float(sys.argv[3])) < 0.05, r2
print(f"R^2 {r2:.3f}")
EOF
done

# --- xor pairs ---------------------------------------------------------------------------------
# seed 2: the first pair's first-drawn member comes later in the file, the second's earlier
"$GDL" simulate genotypes -q -o "$T/xor" -n 3000 -m 3000 -k 0 -p 2 -s 2 --pair-kind xor &&
    "$GDL" encode -q "$T/xor.vcf.gz" --pheno "$T/xor.pheno.tsv" --pheno-col disease -o "$T/xor.gdl" &&
    "$GDL" export -q --npy "$T/xor" "$T/xor.gdl" || fail "simulate --pair-kind xor"
awk -F'\t' '$1 == "xor" { n++; if ($6 < 0.27 || $6 > 0.32 || $10 < 0.27 || $10 > 0.32 || $7 < 1.9 || $7 > 2.1) bad++ }
    END { exit !(n == 2 && !bad) }' "$T/xor.truth.tsv" &&
    pass "truth: kind xor, members at ALT frequency 0.27-0.32 (carriers ~ half), gamma ~ 2" || fail "xor truth" "$(cat "$T/xor.truth.tsv")"
py "xor pairs: members' marginal chi-square unremarkable, the pair's joint effect strong" "$T/xor" "$T/xor.truth.tsv" <<'EOF'
import sys, numpy as np
from math import erfc, sqrt
g = np.load(sys.argv[1] + "/input_genotypes.npy").astype(float)
y = np.load(sys.argv[1] + "/labels.npy")[:, 0]
def chi2_p(table):      # Pearson chi-square of a 2 x 2 table, 1 df
    t = np.asarray(table, float); e = t.sum(1, keepdims=True) * t.sum(0, keepdims=True) / t.sum()
    x = ((t - e) ** 2 / e).sum()
    return erfc(sqrt(x / 2))
def allelic_p(j):       # ALT vs REF allele counts in cases and controls
    ok = g[:, j] != 255; d = g[ok, j]; c = y[ok]
    return chi2_p([[d[c == 1].sum(), 2 * (c == 1).sum() - d[c == 1].sum()],
                   [d[c == 0].sum(), 2 * (c == 0).sum() - d[c == 0].sum()]])
pairs = [l.split("\t") for l in open(sys.argv[2]) if l.startswith("xor")]
msg = []
for f in pairs:
    a, b = int(f[1][1:]) - 1, int(f[7][1:]) - 1
    pa, pb = allelic_p(a), allelic_p(b)
    ok = (g[:, a] != 255) & (g[:, b] != 255)
    x = (g[ok, a] >= 1) != (g[ok, b] >= 1); c = y[ok]
    pj = chi2_p([[(x & (c == 1)).sum(), (x & (c == 0)).sum()], [(~x & (c == 1)).sum(), (~x & (c == 0)).sum()]])
    assert pa > 0.001 and pb > 0.001 and pj < 1e-20, (pa, pb, pj)
    msg.append(f"members p {pa:.2g}, {pb:.2g}; XOR p {pj:.2g}")
print("; ".join(msg))
EOF
"$GDL" simulate genotypes -q -o "$T/xor2" -n 3000 -m 3000 -k 0 -p 2 -s 2 --pair-kind xor
ok=1; for f in vcf.gz pheno.tsv truth.tsv; do cmp -s "$T/xor.$f" "$T/xor2.$f" || ok=0; done
"$GDL" simulate genotypes -q -o "$T/ldb" -n 2000 -m 2000 -k 5 -p 2 -s 5 --ld 0.95 --ld-block 10
for f in vcf.gz pheno.tsv truth.tsv; do cmp -s "$T/ldb10.$f" "$T/ldb.$f" || ok=0; done
[ $ok = 1 ] && pass "--ld and --pair-kind xor: same seed, same files" || fail "--ld and --pair-kind xor: same seed, same files"

# --- bad values: usage errors naming the option ------------------------------------------------
for bad in "--ld 1" "--ld -0.5" "--ld x" "--ld-block 0" "--case-frac 0" "--case-frac 1" "--causal-maf 0.5,0.1" \
    "--causal-maf 0.1" "--pair-maf 0.1,1.5" "--effects big" "--h2 0" "--h2 2" "--pair-kind and"; do
    opt=${bad%% *}
    expect "$bad is a usage error" 1 "$GDL" simulate genotypes -o "$T/bad" $bad
    contains "$bad: the message names $opt" "$T/err" "gdl simulate: $opt:"
done
[ -e "$T/bad.vcf.gz" ] && fail "a usage error writes no file" || pass "a usage error writes no file"
finish
