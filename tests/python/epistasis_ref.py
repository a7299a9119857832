#!/usr/bin/env python3
"""Independent NumPy reference of the BOOST log-linear interaction test (plink 1.9
--fast-epistasis boost), for checking `gdl epistasis`.

    epistasis_ref.py COHORT.vcf.gz PHENO.tsv [--target disease] [--mode converged|plink]
                     [--epi1 P] [--tol 1e-12] [--extra] [-o OUT.tsv] [--compare PLINK.epi.cc]

Prints a TSV `variant_a variant_b statistic df p` (plus, with --extra: n, ksa, iterations and
the 18 counts case_AB / control_AB, A and B the ALT copies of variant_a and variant_b), one row
per pair a < b in VCF order. --compare reads a plink .epi.cc and prints, on stderr, how the
two agree (pairs, df, the maximum relative difference of the statistic, p).

Input. The VCF is read with gzip and a hand parser of GT: dosage = ALT copies of a diploid
call ('0/1', '1|1', ...); a call with '.' or another ploidy is missing. A record with k ALT
alleles gives k variants (dosage = copies of that ALT; other ALTs count as REF). A variant is
named by its ID (every ALT of a multi-ALT record gets it), or CHROM:POS:REF:ALT when ID is
'.'. The phenotype TSV has a header, the sample ID in the column 'id' (else the first column)
and a 0/1 --target column (1 = case; '', NA, nan, -9 and . are missing). Only samples with a
phenotype enter the test.

Model. For a pair (A, B), the 3x3x2 table n[a, b, c] counts the phenotyped samples called
at both variants (a, b = ALT copies, c = control/case). The no-three-way-interaction
log-linear model [AB][AC][BC] is fitted by iterative proportional fitting (start from 1;
fit the AB, then AC, then BC margins; a margin of 0 zeroes its cells); the statistic is the
likelihood ratio G2 = 2 sum_{n>0} n log(n / mu); df = (I - 1)(J - 1) with I, J the numbers of
genotype classes of A and B present in the table (phenotyped samples called at both); p is
the chi-square upper tail (of max(G2, 0)). --mode converged (the default) iterates until no
cell moves by more than --tol (1e-12) in one cycle; --mode plink replays plink 1.9 exactly
(below). A pair in which A or B has fewer than 2 classes gets statistic NA, df 0, p NA.

WHAT PLINK 1.9 DOES (v1.90b6.26 64-bit, 2 Apr 2022; found in its source, plink_ld.c
fepi_counts_to_boost_chisq(), boost_calc_p_ca(), fast_epi_thread(), epistasis_report(), and
checked on tests/data/epistasis/ with this script):

* Samples: only samples with a non-missing phenotype (cases and controls; without
  --allow-no-sex, samples of unknown sex have their phenotype set to missing and so drop out);
  per pair, only those called at both variants.
* Variants: before testing, plink drops every variant with fewer than 2 genotype classes
  among the phenotyped samples ("--fast-epistasis: Skipping N monomorphic/non-autosomal
  sites") and every variant on a haploid chromosome (X, Y, MT). They are not tested, not
  written and not counted.
* Pairs and order: every pair of the remaining variants (the upper triangle), SNP1 before
  SNP2 in .bim (= VCF) order: for SNP1 in file order, every later SNP2 in file order. Output
  header `CHR1 SNP1 CHR2 SNP2 STAT DF P`, space-padded fixed width (split on whitespace).
  With --vcf the SNP column is the VCF ID, and an ID of '.' stays '.' (plink 1.9's
  --set-missing-var-ids @:#:$1:$2 names it CHROM:POS:A:B with the two alleles in ASCII
  order, not REF:ALT; so keep VCF IDs set when comparing names).
* df: (I - 1)(J - 1) with I, J the genotype classes present among the phenotyped samples
  called at both variants, i.e. 4, 2 or 1 (plink stores the number of absent classes in the
  two low mantissa bits of the statistic, df = 4 >> absent, and clears them when printing).
  When A or B has fewer than 2 classes in that table the test fails: written as
  `nan 0 NA` (only with --epi1 1; otherwise not written) and not counted as a valid test.
* Screening (KSA): plink first computes the Kirkwood superposition approximation
  mu_ksa[a,b,c] = N p(a|b) p(b|c) p(c|a) / tau (tau = sum of the products over the 18 cells,
  the p's from the same table), ksa = 2 sum_{n>0} n log(n / mu_ksa) (a cell with n > 0 but a
  zero product contributes n log n instead). Only a pair with ksa > chi2.isf(epi1, df)
  (strictly greater; --epi1 default 5e-6) goes on to the exact test and is written; a
  written pair carries the exact statistic even when its p is above --epi1, so the output
  holds every pair whose KSA passed, not every pair with p < epi1. With --epi1 1 the
  threshold is 0: every pair with ksa > 0 is written, i.e. every tested pair in practice
  (ksa = 0 only when the KSA fits the table exactly); on the fixture all 1653 pairs are.
* Exact statistic: IPF from mu = 1, cycles of the AB, AC, BC margins, stopped when the sum
  over the 18 cells of |mu - mu_previous_cycle| is <= 0.001 (not iterated to convergence);
  STAT = 2 N (sum_{n>0} p log(p / q) + log(sum q)), p = n / N, q = mu / N (a cell with n > 0,
  mu = 0 contributes p log p), which is G2 evaluated at that not quite converged mu (sum q is
  1 to rounding after the BC step). STAT is printed with 6 significant digits.
* P = chi-square upper tail of STAT with DF degrees of freedom (dcdflib cdfchi), printed with
  4 significant digits. A STAT that rounding makes slightly negative (tables the model fits
  exactly, e.g. -1.2e-13) makes cdfchi fail: plink prints P = 0 for it (a plink quirk; the
  right answer is p = 1), while STAT ~ +1e-13 prints P = 1.
* Counting tests: "N valid tests performed" = m (m - 1) / 2 over the m variants kept, minus
  the failed pairs (df 0). Pairs screened out by the KSA are valid tests (they count, they are
  not written). The .summary file's N_TOT per SNP counts its valid tests; N_SIG counts its
  pairs with a value >= chi2.isf(epi2, df) (--epi2, default 0.01), the value being the KSA
  statistic for a pair the screen dropped and max(exact STAT, the epi1 threshold) for a
  fitted one; BEST_CHISQ is the largest such value, whatever its df.

On the fixture (tests/data/epistasis/: 400 samples, 60 variants of which 58 are tested, 1653
pairs, 1652 valid) both modes give plink's DF for all 1653 pairs (including v000020 x v000036,
DF 1 because a class of one variant is present only among samples not called at the other:
the "called at both" rule, not "classes over all samples"), plink's printed STAT exactly
(%.6g) for all 1040 pairs with STAT > 1e-6 (max relative difference 4.4e-6 = the 6-digit
rounding; median 6e-7), plink's P to its 4 digits, and --mode plink (with --epi1) exactly
plink's set of written pairs at --epi1 1, 0.5, 0.2, 0.05, 0.01, 1e-4 and 5e-6 (at 0.05 plink
writes a pair with P 0.054). The converged and plink-stopped fits differ by at most 1.1e-7
relative (5.6e-8 absolute on the near-zero statistics), far below what plink prints: the
0.001 stopping rule costs nothing visible here. The KSA statistic was >= the exact one on
every pair (median 0.3% above, at most 29% on statistics > 1), as BOOST's bound argument
says, so the screen drops no pair whose exact statistic passes the threshold.
Run `epistasis_ref.py ... --compare plink.epi.cc.gz` for the current figures.
"""
import argparse
import gzip
import math
import signal
import sys

import numpy as np


def chi2_sf(x, df):
    """P(chi-square with df in {1, 2, 4} >= x), closed forms (no SciPy needed)"""
    x = max(float(x), 0.0)
    if df == 1:
        return math.erfc(math.sqrt(x / 2))
    if df == 2:
        return math.exp(-x / 2)
    if df == 4:
        return math.exp(-x / 2) * (1 + x / 2)
    raise ValueError("df %d" % df)


def chi2_isf(p, df):
    """the x with chi2_sf(x, df) = p, by bisection"""
    lo, hi = 0.0, 1.0
    while chi2_sf(hi, df) > p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if chi2_sf(mid, df) > p:
            lo = mid
        else:
            hi = mid
    return hi

MISSING = {"", "na", "nan", "-9", "."}


def read_vcf(path):
    """(sample IDs, variant names, int8 dosages m x n with -1 = missing, chroms)"""
    opener = gzip.open if path.endswith((".gz", ".bgz")) else open
    samples, names, chroms, rows = None, [], [], []
    with opener(path, "rt") as f:
        for line in f:
            if line.startswith("##"):
                continue
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = fields[9:]
                continue
            chrom, pos, vid, ref, alt, fmt = fields[0], fields[1], fields[2], fields[3], fields[4], fields[8]
            keys = fmt.split(":")
            if "GT" not in keys:
                continue
            gi = keys.index("GT")
            gts = []
            for s in fields[9:]:
                parts = s.split(":")
                gt = parts[gi] if gi < len(parts) else "."
                gts.append(gt.replace("|", "/").split("/"))
            alts = alt.split(",")
            for k, a in enumerate(alts, 1):
                if a == ".":
                    continue
                key = str(k)
                d = np.empty(len(gts), np.int8)
                for i, al in enumerate(gts):
                    if len(al) != 2 or "." in al:
                        d[i] = -1
                    else:
                        d[i] = (al[0] == key) + (al[1] == key)
                rows.append(d)
                names.append(vid if vid != "." else f"{chrom}:{pos}:{ref}:{a}")
                chroms.append(chrom)
    if samples is None:
        sys.exit(f"epistasis_ref.py: {path}: no #CHROM header line")
    geno = np.array(rows, np.int8).reshape(len(rows), len(samples))
    return samples, names, geno, chroms


def read_pheno(path, target):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        if target not in header:
            sys.exit(f"epistasis_ref.py: {path}: no column '{target}' in the header")
        idc = header.index("id") if "id" in header else 0
        tc = header.index(target)
        out = {}
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) <= max(idc, tc):
                continue
            x = v[tc].strip()
            if x.lower() in MISSING:
                continue
            if x not in ("0", "1"):
                sys.exit(f"epistasis_ref.py: {path}: {target} of {v[idc]} is '{x}', not 0/1")
            out[v[idc]] = int(x)
    return out


def tables(geno, y, pairs_i, pairs_j):
    """n[p, a, b, c]: samples called at both variants of pair p, c = 0 control, 1 case"""
    onehot = [(geno == g).astype(np.float64) for g in range(3)]   # m x n each
    n = np.empty((len(pairs_i), 3, 3, 2))
    for c, w in enumerate(((y == 0).astype(np.float64), (y == 1).astype(np.float64))):
        for a in range(3):
            xa = onehot[a] * w
            for b in range(3):
                full = xa @ onehot[b].T        # m x m
                n[:, a, b, c] = full[pairs_i, pairs_j]
    return np.rint(n)


def ratio(num, den):
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den != 0)
    return out


def ipf_cycle(mu, nab, nac, nbc):
    mu *= ratio(nab, mu.sum(axis=3))[:, :, :, None]
    mu *= ratio(nac, mu.sum(axis=2))[:, :, None, :]
    mu *= ratio(nbc, mu.sum(axis=1))[:, None, :, :]


def fit_ipf(n, moved, limit, max_iter):
    """IPF cycles per pair until moved(mu, prev) (a per-pair measure of the cycle's change) is
    <= limit; (mu, cycles per pair)"""
    mu = np.ones_like(n)
    nab, nac, nbc = n.sum(axis=3), n.sum(axis=2), n.sum(axis=1)
    iters = np.zeros(len(n), np.int64)
    active = np.arange(len(n))
    for it in range(1, max_iter + 1):
        if not len(active):
            break
        m = mu[active]
        prev = m.copy()
        ipf_cycle(m, nab[active], nac[active], nbc[active])
        mu[active] = m
        iters[active] = it
        active = active[moved(m, prev) > limit]
    if len(active):
        print(f"epistasis_ref.py: {len(active)} pairs not converged after {max_iter} cycles",
              file=sys.stderr)
    return mu, iters


def fit_converged(n, tol, max_iter):
    """IPF until no cell moves by more than tol in a cycle"""
    return fit_ipf(n, lambda m, prev: np.abs(m - prev).reshape(len(m), -1).max(axis=1), tol, max_iter)


def fit_plink(n):
    """plink 1.9's IPF: stop when the sum of |mu - mu_prev| over the 18 cells is <= 0.001"""
    return fit_ipf(n, lambda m, prev: np.abs(m - prev).reshape(len(m), -1).sum(axis=1), 0.001, 1_000_000)


def g2(n, mu):
    terms = np.zeros_like(n)
    pos = n > 0
    terms[pos] = n[pos] * np.log(n[pos] / mu[pos])
    return 2 * terms.reshape(len(n), -1).sum(axis=1)


def plink_stat(n, mu):
    """plink's STAT = 2N (sum_{n>0} p log(p/q) + log(sum q)), p = n/N, q = mu/N"""
    tot = n.reshape(len(n), -1).sum(axis=1)
    p = n / tot[:, None, None, None]
    q = mu / tot[:, None, None, None]
    terms = np.zeros_like(n)
    a = (p > 0) & (q > 0)
    b = (p > 0) & (q == 0)
    terms[a] = p[a] * np.log(p[a] / q[a])
    terms[b] = p[b] * np.log(p[b])
    s = terms.reshape(len(n), -1).sum(axis=1)
    tau = q.reshape(len(n), -1).sum(axis=1)
    return (s + np.log(tau)) * 2 * tot


def ksa(n):
    """plink's Kirkwood superposition screening statistic"""
    nab = n.sum(axis=3)                 # p, a, b
    nb = nab.sum(axis=1)                # p, b
    p_a_b = ratio(nab, nb[:, None, :])  # p(a | b)
    nbc = n.sum(axis=1)                 # p, b, c
    p_b_c = ratio(nbc, nbc.sum(axis=1)[:, None, :])   # p(b | c)
    nac = n.sum(axis=2)                 # p, a, c
    p_c_a = ratio(nac, nac.sum(axis=2)[:, :, None])   # p(c | a)
    prod = p_a_b[:, :, :, None] * p_b_c[:, None, :, :] * p_c_a[:, :, None, :]
    tau = prod.reshape(len(n), -1).sum(axis=1)
    tot = n.reshape(len(n), -1).sum(axis=1)
    terms = np.zeros_like(n)
    a = (n > 0) & (prod != 0)
    b = (n > 0) & (prod == 0)
    terms[a] = n[a] * np.log(n[a] / prod[a])
    terms[b] = n[b] * np.log(n[b])
    with np.errstate(divide="ignore"):
        return 2 * (terms.reshape(len(n), -1).sum(axis=1) + tot * np.log(ratio(tau, tot)))


def read_plink(path):
    out = {}
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        header = f.readline().split()
        col = {k: i for i, k in enumerate(header)}
        for line in f:
            v = line.split()
            if not v:
                continue
            stat = float(v[col["STAT"]])
            df = int(v[col["DF"]]) if "DF" in col else None
            p = v[col["P"]] if "P" in col else "NA"
            out[(v[col["SNP1"]], v[col["SNP2"]])] = (stat, df, float("nan") if p == "NA" else float(p))
    return out


def compare(rows, path):
    pl = read_plink(path)
    ref = {(r[0], r[1]): r[2:] for r in rows}
    common = [k for k in ref if k in pl]
    only_ref = [k for k in ref if k not in pl]
    only_pl = [k for k in pl if k not in ref]
    say = lambda s: print(s, file=sys.stderr)
    say(f"compare {path}: {len(ref)} reference pairs, {len(pl)} plink pairs, {len(common)} in both, "
        f"{len(only_ref)} only in the reference, {len(only_pl)} only in plink")
    for k in only_ref[:5]:
        say(f"  only in the reference: {k[0]} {k[1]} {ref[k][0]:.6g}")
    for k in only_pl[:5]:
        say(f"  only in plink: {k[0]} {k[1]} {pl[k][0]:.6g}")
    df_bad = [k for k in common if pl[k][1] is not None and ref[k][1] != pl[k][1]]
    say(f"  df differs: {len(df_bad)} pairs" + "".join(f"; {k[0]} {k[1]} ref {ref[k][1]} plink {pl[k][1]}" for k in df_bad[:5]))
    both = [k for k in common if np.isfinite(ref[k][0]) and np.isfinite(pl[k][0])]
    nan_mismatch = [k for k in common if np.isfinite(ref[k][0]) != np.isfinite(pl[k][0])]
    say(f"  NA/nan statistic in one only: {len(nan_mismatch)} pairs; NA in both: "
        f"{sum(1 for k in common if not np.isfinite(ref[k][0]) and not np.isfinite(pl[k][0]))}")
    big = [k for k in both if abs(pl[k][0]) > 1e-6]
    if big:
        rel = [(abs(ref[k][0] - pl[k][0]) / abs(pl[k][0]), k) for k in big]
        r, k = max(rel)
        say(f"  statistic, {len(big)} pairs with |plink STAT| > 1e-6: max relative difference {r:.3g} "
            f"({k[0]} {k[1]}: reference {ref[k][0]:.10g}, plink {pl[k][0]:.6g}); median {np.median([x for x, _ in rel]):.3g}")
    small = [k for k in both if abs(pl[k][0]) <= 1e-6]
    if small:
        a = max(abs(ref[k][0] - pl[k][0]) for k in small)
        say(f"  statistic, {len(small)} pairs with |plink STAT| <= 1e-6 (the model fits exactly): max absolute difference {a:.3g}")
    pk = [k for k in both if abs(pl[k][0]) > 1e-6 and np.isfinite(pl[k][2]) and pl[k][2] > 0]
    if pk:
        rp = max(abs(ref[k][2] - pl[k][2]) / pl[k][2] for k in pk)
        say(f"  p, {len(pk)} pairs with p > 0 (plink prints 4 digits): max relative difference {rp:.3g}")
    neg = [k for k in both if pl[k][0] < 0]
    if neg:
        say(f"  {len(neg)} plink STAT < 0 (rounding); plink's P for them: {sorted(set(pl[k][2] for k in neg))}")
    return 0


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet under `| head`
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vcf")
    ap.add_argument("pheno")
    ap.add_argument("--target", default="disease")
    ap.add_argument("--mode", choices=("converged", "plink"), default="converged")
    ap.add_argument("--tol", type=float, default=1e-12, help="converged mode: max cell change per cycle")
    ap.add_argument("--max-iter", type=int, default=100000)
    ap.add_argument("--epi1", type=float, default=1.0,
                    help="plink mode: write only pairs whose KSA statistic > chi2.isf(epi1, df) [1]")
    ap.add_argument("--extra", action="store_true", help="add n, ksa, iterations and the 18 counts")
    ap.add_argument("-o", "--output", help="TSV to write [stdout]")
    ap.add_argument("--compare", metavar="EPI_CC", help="plink .epi.cc to compare with (stderr)")
    args = ap.parse_args()

    samples, names, geno, chroms = read_vcf(args.vcf)
    ph = read_pheno(args.pheno, args.target)
    keep = [i for i, s in enumerate(samples) if s in ph]
    y = np.array([ph[samples[i]] for i in keep], np.int8)
    geno = geno[:, keep]
    classes = np.stack([(geno == g).any(axis=1) for g in range(3)]).sum(axis=0)
    tested = np.flatnonzero(classes >= 2)
    print(f"epistasis_ref.py: {len(keep)} phenotyped samples ({int((y == 1).sum())} cases, "
          f"{int((y == 0).sum())} controls) of {len(samples)}; {len(names)} variants, "
          f"{len(names) - len(tested)} with < 2 genotype classes skipped: "
          f"{' '.join(names[i] for i in np.flatnonzero(classes < 2))}", file=sys.stderr)
    g = geno[tested]
    tn = [names[i] for i in tested]
    iu, ju = np.triu_indices(len(tested), k=1)
    n = tables(g, y, iu, ju)
    ia = (n.sum(axis=(2, 3)) > 0).sum(axis=1)
    jb = (n.sum(axis=(1, 3)) > 0).sum(axis=1)
    df = np.where((ia >= 2) & (jb >= 2), (ia - 1) * (jb - 1), 0)
    k = ksa(n)
    if args.mode == "converged":
        mu, iters = fit_converged(n, args.tol, args.max_iter)
        stat = g2(n, mu)
        written = np.ones(len(n), bool)
    else:
        mu, iters = fit_plink(n)
        stat = plink_stat(n, mu)
        thr = np.array([chi2_isf(args.epi1, d) if d and args.epi1 < 1 else 0.0 for d in df])
        written = (df == 0) | (k > thr) if args.epi1 >= 1 else (df > 0) & (k > thr)
    stat = np.where(df > 0, stat, np.nan)
    with np.errstate(invalid="ignore"):
        p = np.array([chi2_sf(st, d) if d > 0 else np.nan for st, d in zip(np.nan_to_num(stat), df)])
    rows = []
    for x in np.flatnonzero(written):
        rows.append((tn[iu[x]], tn[ju[x]], stat[x], int(df[x]), p[x], x))
    out = open(args.output, "w") if args.output else sys.stdout
    head = ["variant_a", "variant_b", "statistic", "df", "p"]
    if args.extra:
        head += ["n", "ksa", "iterations"] + [f"{c}_{a}{b}" for c in ("case", "control") for a in range(3) for b in range(3)]
    out.write("\t".join(head) + "\n")
    fmt = lambda v: "NA" if not np.isfinite(v) else f"{v:.10g}"
    for a, b, s, d, pv, x in rows:
        line = [a, b, fmt(s), str(d), fmt(pv)]
        if args.extra:
            line += [str(int(n[x].sum())), fmt(k[x]), str(int(iters[x]))]
            line += [str(int(n[x, i, j, c])) for c in (1, 0) for i in range(3) for j in range(3)]
        out.write("\t".join(line) + "\n")
    if args.output:
        out.close()
    valid = int((df > 0).sum())
    print(f"epistasis_ref.py: {len(n)} pairs, {valid} valid tests ({len(n) - valid} with a variant of "
          f"< 2 classes among samples called at both), {len(rows)} written ({args.mode} mode); "
          f"IPF cycles min {iters.min() if len(n) else 0} max {iters.max() if len(n) else 0}", file=sys.stderr)
    if args.compare:
        compare([(r[0], r[1], r[2], r[3], r[4]) for r in rows], args.compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
