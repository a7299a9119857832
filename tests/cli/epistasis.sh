# gdl epistasis: the BOOST statistic and df equal plink 1.9's on every pair of the committed
# fixture (tests/data/epistasis, plink's table committed; plink itself when installed), the
# planted XOR pairs ranked first and far above a label-permuted scan, the same bytes over
# threads and over --part + --merge, --keep and --window, and bad input refused.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
FIX="$(dirname "$0")/../data/epistasis"
T=$TMP

"$GDL" encode -q "$FIX/cohort.vcf.gz" --pheno "$FIX/pheno.tsv" --pheno-col disease -o "$T/c.gdl" &&
    pass "fixture encoded" || fail "fixture encoded"
expect "every pair fitted (--screen 1)" 0 "$GDL" epistasis -d "$T/c.gdl" -o "$T/all.tsv" --screen 1 --top 100000

# compare_plink TABLE PLINK_EPI_CC(.gz): statistic to 1e-4 relative (plink prints 6 digits), df
# equal, on every pair plink fitted; the pairs plink could not test are the ones gdl does not
compare_plink() {
    "$PYTHON" - "$1" "$2" <<'PY'
import gzip, sys
ours = {}
with open(sys.argv[1]) as f:
    for line in f:
        if line.startswith('#') or line.startswith('rank\t'):
            continue
        c = line.rstrip('\n').split('\t')
        ours[frozenset((c[1], c[2]))] = (float(c[6]), int(c[7]))
opener = gzip.open if sys.argv[2].endswith('.gz') else open
worst, n, untested = 0.0, 0, 0
with opener(sys.argv[2], 'rt') as f:
    next(f)
    for line in f:
        c = line.split()
        if c[4] == 'nan':
            untested += 1
            continue
        stat, df = float(c[4]), int(c[5])
        key = frozenset((c[1], c[3]))
        assert key in ours, 'pair %s x %s missing' % (c[1], c[3])
        s, d = ours[key]
        assert d == df, 'df %d, plink %d for %s x %s' % (d, df, c[1], c[3])
        if stat > 1e-6:
            worst = max(worst, abs(s - stat) / stat)
        else:
            assert s < 1e-6, '%s x %s: %g where plink has %g' % (c[1], c[3], s, stat)
        n += 1
assert n > 1000 and worst < 1e-4, (n, worst)
assert len(ours) == n, 'gdl reports %d pairs, plink tested %d' % (len(ours), n)
print('%d pairs, max relative difference %.3g' % (n, worst))
PY
}
compare_plink "$T/all.tsv" "$FIX/plink.epi.cc.gz" >"$T/cmp" 2>&1 && pass "statistic and df = plink 1.9 boost on every pair ($(cat "$T/cmp"))" ||
    fail "parity with plink's committed table" "$(cat "$T/cmp")"
# the independent NumPy reference (tests/python/epistasis_ref.py, IPF to 1e-12): 1e-6 relative
"$PYTHON" "$(dirname "$0")/../python/epistasis_ref.py" "$FIX/cohort.vcf.gz" "$FIX/pheno.tsv" -o "$T/ref.tsv" 2>/dev/null
"$PYTHON" - "$T/all.tsv" "$T/ref.tsv" >"$T/cmp" 2>&1 <<'PY' && pass "statistic = the NumPy reference to 1e-6 ($(cat "$T/cmp"))" || fail "NumPy reference" "$(cat "$T/cmp")"
import sys
ours = {frozenset(c[1:3]): (float(c[6]), int(c[7])) for c in (l.rstrip('\n').split('\t') for l in open(sys.argv[1]))
        if not c[0].startswith('#') and c[0] != 'rank'}
worst, n = 0.0, 0
for c in (l.rstrip('\n').split('\t') for l in list(open(sys.argv[2]))[1:]):
    if c[2] == 'NA':
        continue
    s, d = ours[frozenset(c[:2])]
    assert d == int(c[3]), c
    worst, n = max(worst, abs(s - float(c[2])) / max(1.0, float(c[2]))), n + 1
assert n == len(ours) and worst < 1e-6, (n, worst)
print('%d pairs, max difference %.2g' % (n, worst))
PY
contains "tests counted as plink counts them (pairs with df >= 1)" "$T/all.tsv" "tests	1652	fitted	1652"
if command -v plink1.9 >/dev/null 2>&1; then
    awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { print "FID", "IID", "disease"; next } { print $1, $1, $2 }' \
        "$FIX/pheno.tsv" >"$T/plink.pheno"
    plink1.9 --vcf "$FIX/cohort.vcf.gz" --double-id --allow-no-sex --pheno "$T/plink.pheno" --pheno-name disease \
        --1 --threads 1 --fast-epistasis boost --epi1 1 --out "$T/boost" >/dev/null 2>&1
    compare_plink "$T/all.tsv" "$T/boost.epi.cc" >"$T/cmp" 2>&1 && pass "statistic and df = plink1.9 run now ($(cat "$T/cmp"))" ||
        fail "parity with plink1.9 run now" "$(cat "$T/cmp")"
fi

# the linear interaction test of the quantitative trait = plink 1.9's --epistasis on it: the same
# valid tests (plink's nan rows are the singular designs, which gdl does not count), the same STAT
"$GDL" encode -q "$FIX/cohort.vcf.gz" --pheno "$FIX/pheno.tsv" --pheno-col trait -o "$T/qt.gdl"
expect "quantitative trait: the linear test" 0 "$GDL" epistasis -d "$T/qt.gdl" -o "$T/qt.tsv" --top 100000 -@ 2
contains "its header names the test" "$T/qt.tsv" "# test	linear: y = b0 + b1 a + b2 b + b3 a b"
"$PYTHON" - "$T/qt.tsv" "$FIX/plink.epi.qt.gz" >"$T/cmp" 2>&1 <<'PY' && pass "statistic = plink 1.9 --epistasis on the trait ($(cat "$T/cmp"))" || fail "QT parity" "$(cat "$T/cmp")"
import gzip, sys
ours = {frozenset(c[1:3]): float(c[6]) for c in (l.rstrip('\n').split('\t') for l in open(sys.argv[1]))
        if not c[0].startswith('#') and c[0] != 'rank'}
plink = {frozenset((c[1], c[3])): float(c[5]) for c in (l.split() for l in list(gzip.open(sys.argv[2], 'rt'))[1:])
         if c[5] != 'nan'}
assert set(ours) == set(plink) and len(ours) > 1000, (len(ours), len(plink))
worst = max(abs(ours[k] - v) / max(v, 1e-2) for k, v in plink.items())
assert worst < 1e-4, worst
tests = [l.split('\t') for l in open(sys.argv[1]) if l.startswith('# part')][0][5]
assert int(tests) == len(plink)
print('%d tests, max relative difference %.2g' % (len(plink), worst))
PY
for i in 1 2; do "$GDL" epistasis -d "$T/qt.gdl" -o "$T/qpart$i.tsv" --top 300 --part $i/2; done
"$GDL" epistasis -d "$T/qt.gdl" -o "$T/qt300.tsv" --top 300
"$GDL" epistasis --merge -o "$T/qmerged.tsv" "$T/qpart2.tsv" "$T/qpart1.tsv"
same "quantitative: --part 1/2, 2/2 + --merge = the single run" "$T/qmerged.tsv" "$T/qt300.tsv"
expect "merge a quantitative part with a case/control one: exit 2" 2 "$GDL" epistasis --merge -o "$T/m5.tsv" \
    "$T/qpart1.tsv" "$T/part2.tsv"

# the planted pairs (truth.tsv) are ranks 1 and 2 at the default screen, with Bonferroni p < 0.05
expect "default screen" 0 "$GDL" epistasis -d "$T/c.gdl" -o "$T/top.tsv"
"$PYTHON" - "$T/top.tsv" "$FIX/truth.tsv" >"$T/rank" 2>&1 <<'PY' && pass "planted XOR pairs ranked 1 and 2 ($(cat "$T/rank"))" || fail "planted pairs" "$(cat "$T/rank")"
import sys
truth = [frozenset((c[1], c[7])) for c in (l.rstrip('\n').split('\t') for l in open(sys.argv[2])) if c[0] == 'xor']
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if not l.startswith('#')]
head, rows = rows[0], rows[1:]
col = {h: i for i, h in enumerate(head)}
ranks = sorted(int(r[col['rank']]) for r in rows if frozenset((r[1], r[2])) in truth)
assert ranks == [1, 2], ranks
assert all(float(rows[i][col['p_bonferroni']]) < 0.05 for i in range(2))
print('statistics %s' % ', '.join(rows[i][col['statistic']] for i in range(2)))
PY
# labels permuted (a fixed shuffle): nothing comes near the planted pairs' statistic
awk -F'\t' 'NR == 1 { print "id\tdisease"; next } { id[NR] = $1; y[NR] = $2 } END { srand(7); n = NR;
    for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); t = y[i]; y[i] = y[j]; y[j] = t }
    for (i = 2; i <= n; i++) print id[i] "\t" y[i] }' "$FIX/pheno.tsv" >"$T/perm.tsv"
"$GDL" encode -q "$FIX/cohort.vcf.gz" --pheno "$T/perm.tsv" --pheno-col disease -o "$T/perm.gdl" &&
    "$GDL" epistasis -d "$T/perm.gdl" -o "$T/perm_pairs.tsv" --screen 1 --top 1 2>/dev/null
best_perm=$(awk -F'\t' '!/^#/ && $1 == 1 { print $7 }' "$T/perm_pairs.tsv")
second=$(awk -F'\t' '!/^#/ && $1 == 2 { print $7 }' "$T/top.tsv")
awk -v p="$best_perm" -v s="$second" 'BEGIN { exit !(p > 0 && s > 2 * p) }' &&
    pass "planted pairs' statistic > 2x the best pair with permuted labels ($second vs $best_perm)" ||
    fail "permuted labels" "planted second $second, permuted best $best_perm"

# threads and parts change no byte
expect "two threads" 0 "$GDL" epistasis -d "$T/c.gdl" -o "$T/all2.tsv" --screen 1 --top 100000 -@ 2
same "-@ 2 = -@ 1" "$T/all.tsv" "$T/all2.tsv"
for i in 1 2 3; do "$GDL" epistasis -d "$T/c.gdl" -o "$T/part$i.tsv" --screen 1 --top 500 --part $i/3; done
"$GDL" epistasis -d "$T/c.gdl" -o "$T/top500.tsv" --screen 1 --top 500
awk -F'\t' '$1 == "# part" && $3 > 0 { n++ } END { exit n != 3 }' "$T/part1.tsv" "$T/part2.tsv" "$T/part3.tsv" &&
    pass "every part has pairs to test" || fail "a part without pairs" "$(grep -h '^# part' "$T"/part?.tsv)"
expect "merge three parts" 0 "$GDL" epistasis --merge -o "$T/merged.tsv" "$T/part3.tsv" "$T/part1.tsv" "$T/part2.tsv"
same "--part 1/3..3/3 + --merge = the single run" "$T/merged.tsv" "$T/top500.tsv"
expect "merge with a part missing: exit 2" 2 "$GDL" epistasis --merge -o "$T/m2.tsv" "$T/part1.tsv" "$T/part2.tsv"
contains "missing part named" "$T/err" "2 of the 3 parts given"
[ ! -e "$T/m2.tsv" ] && pass "failed merge: no output" || fail "failed merge left output"
awk -F'\t' 'BEGIN { OFS = "\t" } NR == 12 { $8 = "four" } { print }' "$T/part1.tsv" >"$T/bad.tsv"
expect "merge a damaged table: exit 2" 2 "$GDL" epistasis --merge -o "$T/m3.tsv" "$T/bad.tsv" "$T/part2.tsv" "$T/part3.tsv"
contains "damaged table: file and line" "$T/err" "bad.tsv:12: malformed row"
"$GDL" epistasis -d "$T/c.gdl" -o "$T/other.tsv" --screen 1 --top 400 --part 1/3
expect "merge parts of different runs: exit 2" 2 "$GDL" epistasis --merge -o "$T/m4.tsv" "$T/other.tsv" "$T/part2.tsv" "$T/part3.tsv"

# --keep and --window
printf 'v000002\nv000044\nv000004\n# a comment\nv000041\nnot_a_variant\n' >"$T/keep.txt"
expect "--keep" 0 "$GDL" epistasis -d "$T/c.gdl" -o "$T/keep.tsv" --screen 1 --keep "$T/keep.txt"
contains "--keep: unknown IDs counted" "$T/err" "1 of 5 listed variants are not in the dataset"
lines "--keep: the 6 pairs of 4 variants (9 '#' lines and the columns)" "$T/keep.tsv" 16
"$PYTHON" - "$T/all.tsv" "$T/keep.tsv" <<'PY' && pass "--keep rows equal the full scan's rows of those pairs" || fail "--keep rows"
import sys
def rows(p):
    return {frozenset(c[1:3]): c[5:] for c in (l.rstrip('\n').split('\t') for l in open(p)) if c[0] not in ('rank',) and not c[0].startswith('#')}
full, kept = rows(sys.argv[1]), rows(sys.argv[2])
assert len(kept) == 6 and all(full[k][:3] == v[:3] and full[k][5:] == v[5:] for k, v in kept.items())
PY
expect "--window" 0 "$GDL" epistasis -d "$T/c.gdl" -o "$T/win.tsv" --screen 1 --top 100000 --window 20000
"$PYTHON" - "$FIX/cohort.vcf.gz" "$T/win.tsv" <<'PY' && pass "--window: exactly the pairs on one chromosome <= 20 kb apart" || fail "--window pairs"
import gzip, sys, itertools
pos = {}
for l in gzip.open(sys.argv[1], 'rt'):
    if not l.startswith('#'):
        c = l.split('\t', 3)
        pos[c[2]] = (c[0], int(c[1]))
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2]) if not l.startswith('#')][1:]
got = {frozenset(r[1:3]) for r in rows}
assert got and all(pos[a][0] == pos[b][0] and abs(pos[a][1] - pos[b][1]) <= 20000 for a, b in map(tuple, got))
full = [l.rstrip('\n').split('\t') for l in open(sys.argv[2].replace('win', 'all')) if not l.startswith('#')][1:]
want = {frozenset(r[1:3]) for r in full if pos[r[1]][0] == pos[r[2]][0] and abs(pos[r[1]][1] - pos[r[2]][1]) <= 20000}
assert got == want, (len(got), len(want))
PY

# --within-genes on the shipped cohort (genes from its BED), --between two lists
"$GDL" encode -q "$(dirname "$0")/../../data/cohort.vcf.gz" --genes "$(dirname "$0")/../../data/cohort.genes.bed" \
    --pheno "$(dirname "$0")/../../data/cohort.pheno.tsv" --pheno-col disease -o "$T/cohort.gdl"
"$GDL" inspect "$T/cohort.gdl" --catalog >"$T/catalog.tsv"
expect "--within-genes" 0 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/within.tsv" --screen 1 --top 1000000 --within-genes
"$PYTHON" - "$T/catalog.tsv" "$T/within.tsv" <<'PY' && pass "--within-genes: exactly the pairs that share a gene" || fail "--within-genes pairs"
import sys, os, itertools
cat = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
head, cat = cat[0], cat[1:]
gi, ii = head.index('gene'), head.index('ID')
genes = {r[ii]: set(g for g in r[gi].split(',') if g not in ('', '.')) for r in cat}   # inspect prints . for none
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2]) if not l.startswith('#')][1:]
got = {frozenset(r[1:3]) for r in rows}
want = {frozenset((a, b)) for a, b in itertools.combinations(genes, 2) if genes[a] & genes[b]}
part = [l.rstrip('\n').split('\t') for l in open(sys.argv[2]) if l.startswith('# part')][0]
pairs, tests = int(part[3]), int(part[5])   # the rows are the tests: pairs with a monomorphic member are none
assert got <= want and pairs == len(want) and tests == len(got) and len(got) > 1000, (len(got), len(want), pairs, tests)
PY
# --level gene: the planted pair's genes first, with the smallest empirical p 200 null sets allow
expect "--level gene --null 200" 0 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/genes.tsv" --level gene --null 200 \
    --screen 1e-3 --top 20
expect "--level gene on 2 threads" 0 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/genes2.tsv" --level gene --null 200 \
    --screen 1e-3 --top 20 -@ 2
same "--level gene: -@ 2 = -@ 1" "$T/genes.tsv" "$T/genes2.tsv"
"$PYTHON" - "$T/genes.tsv" "$T/catalog.tsv" <<'PY' && pass "gene pairs: G0029 x G0033 first (p_empirical 1/201), counts from the catalog" || fail "gene level" "$(head -8 "$T/genes.tsv")"
import sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if not l.startswith('#')]
head, rows = rows[0], rows[1:]
c = {h: i for i, h in enumerate(head)}
top = rows[0]
assert {top[c['gene_a']], top[c['gene_b']]} == {'G0029', 'G0033'}, top
assert abs(float(top[c['p_empirical']]) - 1 / 201) < 1e-6
cat = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])][1:]
genes = {}
for r in cat:
    for g in r[7].split(','):
        if g not in ('', '.'):
            genes.setdefault(g, []).append(r[0])
for r in rows:
    a, b = genes[r[c['gene_a']]], genes[r[c['gene_b']]]
    want = sum(x != y for x in a for y in b) // (2 if r[c['gene_a']] == r[c['gene_b']] else 1)
    assert int(r[c['n_variant_pairs']]) == want, (r, want)
    assert 0 < float(r[c['p_empirical']]) <= float(r[c['q_value']]) <= 1 and float(r[c['p_value']]) <= 1e-3
ps = [float(r[c['p_value']]) for r in rows]
assert ps == sorted(ps) and len(rows) == 20
PY
"$GDL" epistasis -d "$T/cohort.gdl" -o "$T/past.tsv" --screen 1e-3 --pvalue 1e-3 --top 1000000
"$PYTHON" - "$T/genes.tsv" "$T/past.tsv" "$T/catalog.tsv" <<'PY' && pass "gene pairs: best pair and count = the variant pairs with p <= the screen between the genes" || fail "gene pair counts"
import sys
from collections import defaultdict
gene_of = {}
for r in [l.rstrip('\n').split('\t') for l in open(sys.argv[3])][1:]:
    gene_of[r[3]] = {g for g in r[7].split(',') if g not in ('', '.')}
count, best = defaultdict(int), {}
for c in (l.rstrip('\n').split('\t') for l in open(sys.argv[2]) if not l.startswith('#')):
    if c[0] == 'rank':
        continue
    keys = {tuple(sorted((x, y))) for x in gene_of[c[1]] for y in gene_of[c[2]]}
    for k in keys:
        count[k] += 1
        if k not in best:
            best[k] = (c[1], c[2])   # the table is best first
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if not l.startswith('#')][1:]
for r in rows:
    k = tuple(sorted((r[1], r[2])))
    assert int(r[10]) == count[k] and (r[7], r[8]) == best[k], (r, count[k], best.get(k))
PY
expect "--level gene with --keep: usage" 1 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/x.tsv" --level gene --keep "$T/keep.txt"
expect "--null without --level gene: usage" 1 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/x.tsv" --null 10
expect "--level gene without catalog genes: exit 2" 2 "$GDL" epistasis -d "$T/c.gdl" -o "$T/x.tsv" --level gene
contains "no genes: said so" "$T/err" "no variant of the dataset has a gene"
printf 'v000651\nv000227\n' >"$T/a.txt"
printf 'v000741\nv000222\nv000651\n' >"$T/b.txt"
expect "--between" 0 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/between.tsv" --screen 1 --between "$T/a.txt,$T/b.txt"
"$PYTHON" - "$T/between.tsv" <<'PY' && pass "--between: the pairs of one variant of each list, the planted one first" || fail "--between pairs"
import sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if not l.startswith('#')][1:]
got = {frozenset(r[1:3]) for r in rows}
A, B = {'v000651', 'v000227'}, {'v000741', 'v000222', 'v000651'}
want = {frozenset((a, b)) for a in A for b in B if a != b}
assert got == want, (got, want)
assert frozenset(rows[0][1:3]) == frozenset(('v000651', 'v000741'))
PY
contains "the selection is in the header" "$T/between.tsv" "# selection	all variants; between"
expect "--between A B (two arguments)" 0 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/between2.tsv" --screen 1 --between "$T/a.txt" "$T/b.txt"
same "--between A B = --between A,B" "$T/between2.tsv" "$T/between.tsv"
expect "--between with one list: usage" 1 "$GDL" epistasis -d "$T/cohort.gdl" -o "$T/x.tsv" --between "$T/a.txt"

# bad input: exit 2 and no output; bad options: exit 1
awk -F'\t' 'BEGIN { split("red green blue", c, " ") } NR == 1 { print "id\tcolour"; next } { print $1 "\t" c[NR % 3 + 1] }' \
    "$FIX/pheno.tsv" >"$T/cat.tsv"
"$GDL" encode -q "$FIX/cohort.vcf.gz" --pheno "$T/cat.tsv" --pheno-col colour -o "$T/cat.gdl"
expect "categorical target only: exit 2" 2 "$GDL" epistasis -d "$T/cat.gdl" -o "$T/x.tsv"
contains "no binary or quantitative target: said so" "$T/err" "no binary or quantitative target"
[ ! -e "$T/x.tsv" ] && pass "refused scan: no output" || fail "refused scan left output"
expect "unknown target: exit 2" 2 "$GDL" epistasis -d "$T/c.gdl" -o "$T/x.tsv" --target nope
expect "not a dataset: exit 2" 2 "$GDL" epistasis -d "$FIX/pheno.tsv" -o "$T/x.tsv"
expect "--part 4/3: usage" 1 "$GDL" epistasis -d "$T/c.gdl" -o "$T/x.tsv" --part 4/3
expect "--screen 0: usage" 1 "$GDL" epistasis -d "$T/c.gdl" -o "$T/x.tsv" --screen 0
expect "--top 0: usage" 1 "$GDL" epistasis -d "$T/c.gdl" -o "$T/x.tsv" --top 0
expect "no -o: usage" 1 "$GDL" epistasis -d "$T/c.gdl"
finish
