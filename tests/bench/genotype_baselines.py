#!/usr/bin/python3
"""The baselines a statistician runs first on a genotype cohort, on gdl's folds (make bench-genotype).

  genotype_baselines.py run --npy DIR --catalog CAT.tsv --folds folds.tsv [--truth truth.tsv]
        [--attr NAME=variants.tsv ...] [--screen F] [--out rows.tsv]
      DIR is `gdl export --npy` of the dataset (genotypes uint8 N x M, 255 = missing; labels),
      CAT `gdl inspect --catalog` of it, folds.tsv gdl train's --folds-out. Per outer fold:
      missing calls get the training mean, dosages are standardised on the training samples,
      then a binary target gets logistic regression with L1 (liblinear), L2 (lbfgs) and the
      elastic net (saga, l1_ratio 0.5), C chosen by inner 3-fold CV on ROC AUC over a log
      grid; a quantitative one LassoCV, RidgeCV and ElasticNetCV (l1_ratio 0.5, inner 3-fold).
      The ceiling is an unpenalised (logistic) regression on the truth's own features: each
      additive variant's dosage, z_a * z_b for a product pair, XOR(carrier_a, carrier_b) for
      an xor pair. Metrics are pooled over the out-of-fold predictions: roc_auc (binary), r2 and
      pearson (quantitative). With --truth, the ranks of the planted variants by the allelic
      chi-square (binary; the correlation test for a quantitative target) on all samples, and
      by each --attr table (gdl attribute's output, rank order). --screen F keeps the F
      columns with the largest training-fold chi-square before fitting (a fold-honest screen
      for very wide cohorts; 0 = all columns).
      Prints rows "model<TAB>metric<TAB>value" (to --out too). Without the folds file (no gdl
      model trained), 5 folds of its own, stratified, seed 1.
  genotype_baselines.py metrics --json metrics.json
      gdl eval's pooled roc_auc (binary) or r2 and pearson (regression) as "metric<TAB>value".
  genotype_baselines.py plant --npy DIR --catalog CAT.tsv --prefix P [--causal K] [--pairs P]
        [--h2 H] [--case-frac F] [--seed S]
      Plants the simulator's model on real genotypes: K additive SNPs with MAF > 0.05, |beta|
      in [0.3, 0.8] with a random sign, on the standardised dosage, and P xor pairs of SNPs
      carried by 40-60% of the samples; noise for the planted share h2; disease = the top F of
      the liability. Writes P.pheno.tsv (id, disease, trait) and P.truth.tsv (gdl simulate's
      columns; variant = the catalog's ID, or CHROM:POS:REF:ALT when it has none).
  genotype_baselines.py population --panel panel.tsv --pheno out.tsv [--super-pop AFR]
      1000 Genomes' panel to a label file: id, afr (1 when super_pop is AFR).
"""
import argparse
import sys
import time
import warnings

import numpy as np


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    return head, rows


def load_npy(d):
    g = np.load(d + "/input_genotypes.npy")
    try:
        y = np.load(d + "/labels.npy")[:, 0].astype(float)
    except OSError:  # a dataset without labels
        y = None
    ids = [r[0] for r in read_tsv(d + "/ids.tsv")[1]]
    return g, y, ids


def catalog_keys(cat):
    """column -> (ID, CHROM:POS:REF:ALT) from gdl inspect --catalog"""
    head, rows = read_tsv(cat)
    ix = {h: i for i, h in enumerate(head)}
    out = []
    for r in rows:
        out.append((r[ix["ID"]], "%s:%s:%s:%s" % (r[ix["CHROM"]], r[ix["POS"]], r[ix["REF"]], r[ix["ALT"]])))
    return out


def key_index(keys):
    idx = {}
    for j, (vid, loc) in enumerate(keys):
        if vid not in (".", ""):
            idx.setdefault(vid, j)
        idx.setdefault(loc, j)
    return idx


def impute_standardise(g, tr):
    """float dosages, missing = the training mean; standardised on the training rows (in
    blocks of columns, so the only large array is the result)"""
    x = np.empty(g.shape, np.float64)
    for c in range(0, g.shape[1], 2048):
        b = g[:, c:c + 2048]
        miss = b == 255
        xb = np.where(miss, 0, b).astype(np.float64)
        n_ok = (~miss[tr]).sum(0)
        mean = xb[tr].sum(0) / np.maximum(n_ok, 1)
        xb = np.where(miss, mean, xb)
        sd = xb[tr].std(0)
        sd[sd == 0] = 1
        x[:, c:c + 2048] = (xb - mean) / sd
    return x


def chi2_allelic(g, y):
    """allelic chi-square (1 df) of each column: ALT/REF allele counts in cases vs controls"""
    ok = g != 255
    d = np.where(ok, g, 0).astype(np.float64)
    case = (y == 1)[:, None] & ok
    ctrl = (y == 0)[:, None] & ok
    a = (d * case).sum(0)
    b = 2 * case.sum(0) - a
    c = (d * ctrl).sum(0)
    e = 2 * ctrl.sum(0) - c
    n = a + b + c + e
    num = n * (a * e - b * c) ** 2
    den = (a + b) * (c + e) * (a + c) * (b + e)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0)


def corr_stat(g, y):
    """quantitative target: N r^2 of dosage vs trait (the 1-df score statistic)"""
    ok = g != 255
    d = np.where(ok, g, 0).astype(np.float64)
    m = d.sum(0) / np.maximum(ok.sum(0), 1)
    d = np.where(ok, d, m)
    d -= d.mean(0)
    yc = y - y.mean()
    num = yc @ d
    den = np.sqrt((d * d).sum(0) * (yc @ yc))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, num / den, 0)
    return len(y) * r * r


def truth_features(g, truth, kidx):
    """columns and builders of the truth's features: additive dosages, pair terms"""
    head, rows = read_tsv(truth)
    add, pairs, missing = [], [], 0
    for r in rows:
        kind, a = r[0], kidx.get(r[1])
        if kind == "additive":
            if a is None:
                missing += 1
            else:
                add.append(a)
        elif kind in ("pair", "xor"):
            b = kidx.get(r[7])
            if a is None or b is None:
                missing += 1
            else:
                pairs.append((kind, a, b))
    return add, pairs, missing


def truth_score(g, truth, kidx):
    """sum of beta z over the additive variants in the data (z standardised by the sample
    frequency, missing = 0) plus each pair's gamma z_a z_b or gamma XOR(carriers)"""
    head, rows = read_tsv(truth)
    s = np.zeros(g.shape[0])

    def z(j):
        ok = g[:, j] != 255
        d = g[:, j].astype(float)
        m = d[ok].mean()
        sd = d[ok].std() or 1
        return np.where(ok, (d - m) / sd, 0)
    for r in rows:
        a = kidx.get(r[1])
        if a is None:
            continue
        if r[0] == "additive":
            s += float(r[6]) * z(a)
        elif r[0] in ("pair", "xor") and kidx.get(r[7]) is not None:
            b = kidx[r[7]]
            if r[0] == "xor":
                s += float(r[6]) * (((g[:, a] >= 1) & (g[:, a] != 255)) ^ ((g[:, b] >= 1) & (g[:, b] != 255)))
            else:
                s += float(r[6]) * z(a) * z(b)
    return s


def oracle_matrix(g, add, pairs):
    cols = []
    for j in add:
        cols.append(g[:, j])
    for kind, a, b in pairs:
        ga, gb = g[:, a].astype(float), g[:, b].astype(float)
        if kind == "xor":
            cols.append(((ga >= 1) != (gb >= 1)).astype(float))
        else:
            cols.append(ga * gb)  # z_a z_b's information; standardisation is linear in each
            cols.append(ga)
            cols.append(gb)
    if not cols:
        return None
    x = np.column_stack(cols).astype(np.float64)
    # missing calls (255) in a dosage or product: the column's median of the valid values
    bad = np.zeros_like(x, dtype=bool)
    k = 0
    for j in add:
        bad[:, k] = g[:, j] == 255
        k += 1
    for kind, a, b in pairs:
        w = (g[:, a] == 255) | (g[:, b] == 255)
        for _ in range(1 if kind == "xor" else 3):
            bad[:, k] = w
            k += 1
    for k in range(x.shape[1]):
        if bad[:, k].any():
            x[bad[:, k], k] = np.median(x[~bad[:, k], k])
    return x


def pooled(kind, y, p):
    from sklearn.metrics import roc_auc_score
    ok = ~np.isnan(p)
    if kind == "binary":
        return {"roc_auc": roc_auc_score(y[ok], p[ok])}
    yy, pp = y[ok], p[ok]
    r2 = 1 - ((yy - pp) ** 2).sum() / ((yy - yy.mean()) ** 2).sum()
    return {"r2": r2, "pearson": np.corrcoef(yy, pp)[0, 1]}


def cmd_run(a):
    from sklearn.linear_model import (ElasticNetCV, LassoCV, LinearRegression, LogisticRegression,
                                      LogisticRegressionCV, RidgeCV)
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.exceptions import ConvergenceWarning
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    g, y, ids = load_npy(a.npy)
    keys = catalog_keys(a.catalog)
    kidx = key_index(keys)
    assert len(keys) == g.shape[1], "catalog and genotypes disagree on the column count"
    out = []

    def emit(model, metric, value):
        line = "%s\t%s\t%s" % (model, metric, value if isinstance(value, str) else "%.4f" % value)
        out.append(line)
        print(line, flush=True)

    kind = "binary" if set(np.unique(y[~np.isnan(y)])) <= {0.0, 1.0} else "regression"
    try:
        fh, frows = read_tsv(a.folds)
        fold_of = {r[0]: int(r[1]) for r in frows}
        fold = np.array([fold_of.get(i, 0) for i in ids])
    except OSError:  # no gdl model trained: 5 folds of our own (stratified for a binary target)
        from sklearn.model_selection import KFold, StratifiedKFold
        fold = np.zeros(len(ids), int)
        ok = np.where(~np.isnan(y))[0]
        split = (StratifiedKFold(5, shuffle=True, random_state=1).split(ok, y[ok]) if kind == "binary"
                 else KFold(5, shuffle=True, random_state=1).split(ok))
        for k, (_, te) in enumerate(split):
            fold[ok[te]] = k + 1
        emit("folds", "own_5_folds", "no gdl folds")
    keep = (fold > 0) & ~np.isnan(y)
    jobs = a.jobs

    K = sorted(set(fold[keep]))
    add, pairs, missing = truth_features(g, a.truth, kidx) if a.truth else ([], [], 0)
    xo = oracle_matrix(g, add, pairs) if a.truth else None
    if kind == "binary":
        inner = StratifiedKFold(3, shuffle=True, random_state=0)
        models = {
            "lasso-logistic": lambda: LogisticRegressionCV(Cs=np.logspace(-3, 0, 7), cv=inner, penalty="l1",
                                                           solver="liblinear", scoring="roc_auc", max_iter=500,
                                                           n_jobs=jobs),
            "ridge-logistic": lambda: LogisticRegressionCV(Cs=np.logspace(-6, 0, 7), cv=inner, penalty="l2",
                                                           solver="lbfgs", scoring="roc_auc", max_iter=500,
                                                           n_jobs=jobs),
            # saga to a loose tolerance: at 2,000 x 3,900 it picks the same C and AUC (+- 0.001)
            # as tol 1e-3 / 100 iterations, five times faster
            "enet-logistic": lambda: LogisticRegressionCV(Cs=np.logspace(-3, 0, 7), cv=inner, penalty="elasticnet",
                                                          solver="saga", l1_ratios=[0.5], scoring="roc_auc",
                                                          max_iter=50, tol=1e-2, n_jobs=jobs),
        }
    else:
        inner = KFold(3, shuffle=True, random_state=0)
        models = {
            "lasso": lambda: LassoCV(n_alphas=30, cv=inner, max_iter=2000, tol=1e-3, n_jobs=jobs),
            "ridge": lambda: RidgeCV(alphas=np.logspace(-1, 6, 15), cv=inner),
            "enet": lambda: ElasticNetCV(l1_ratio=0.5, n_alphas=30, cv=inner, max_iter=2000, tol=1e-3, n_jobs=jobs),
        }
    stat = chi2_allelic if kind == "binary" else corr_stat
    preds = {m: np.full(len(y), np.nan) for m in models}
    if xo is not None:
        preds["ceiling"] = np.full(len(y), np.nan)
    secs = {m: 0.0 for m in preds}
    for k in K:
        tr = np.where(keep & (fold != k))[0]
        te = np.where(keep & (fold == k))[0]
        cols = np.arange(g.shape[1])
        if a.screen and a.screen < g.shape[1]:
            s = stat(g[tr], y[tr])
            cols = np.sort(np.argsort(-s, kind="stable")[:a.screen])
        x = impute_standardise(g[:, cols], tr)
        for m, make in models.items():
            t0 = time.time()
            est = make().fit(x[tr], y[tr])
            preds[m][te] = est.predict_proba(x[te])[:, 1] if kind == "binary" else est.predict(x[te])
            secs[m] += time.time() - t0
        del x
        if xo is not None:
            t0 = time.time()
            mu, sd = xo[tr].mean(0), xo[tr].std(0)
            sd[sd == 0] = 1
            xs = (xo - mu) / sd
            if kind == "binary":
                est = LogisticRegression(penalty=None, max_iter=2000).fit(xs[tr], y[tr])
                preds["ceiling"][te] = est.predict_proba(xs[te])[:, 1]
            else:
                preds["ceiling"][te] = LinearRegression().fit(xs[tr], y[tr]).predict(xs[te])
            secs["ceiling"] += time.time() - t0
    for m, p in preds.items():
        name = m + ("(screen %d)" % a.screen if a.screen and a.screen < g.shape[1] and m != "ceiling" else "")
        for metric, v in pooled(kind, y[keep], p[keep]).items():
            emit(name, metric, v)
        emit(name, "seconds", "%.1f" % secs[m])
    if xo is not None and missing:
        emit("ceiling", "truth_not_in_data", "%d" % missing)
    if a.truth and (add or pairs):  # the planted liability without its noise: no fit at all
        for metric, v in pooled(kind, y[keep], truth_score(g, a.truth, kidx)[keep]).items():
            if metric != "r2":  # a score on another scale: its r2 means nothing
                emit("truth-score", metric, v)

    # ranks of the planted additive variants
    if a.truth and (add or pairs):
        s = stat(g[keep], y[keep])
        order = np.argsort(-s, kind="stable")
        rank = np.empty(len(order), int)
        rank[order] = np.arange(1, len(order) + 1)
        planted = np.array(add, int)
        members = np.array(sorted({c for _, x1, x2 in pairs for c in (x1, x2)}), int)
        top = 10
        chi_top = set(planted[rank[planted] <= top])
        emit("chi2", "planted", "%d" % len(add))
        if add:
            emit("chi2", "planted_top10", "%d" % len(chi_top))
            emit("chi2", "planted_topK", "%d" % int((rank[planted] <= len(add)).sum()))
            emit("chi2", "planted_median_rank", "%d" % int(np.median(rank[planted])))
        if len(members):
            emit("chi2", "pair_members_top%d" % len(members), "%d" % int((rank[members] <= len(members)).sum()))
        locus = {}
        for j, (_, loc) in enumerate(keys):
            locus.setdefault(tuple(loc.split(":")[:2]), j)
        for spec in a.attr or []:
            name, path = spec.split("=", 1)
            try:
                head, rows = read_tsv(path)
            except OSError:
                continue
            ix = {h: i for i, h in enumerate(head)}
            r_of = {}
            for r in rows:
                j = kidx.get(r[ix["variant"]])
                if j is None or r[ix["variant"]] in (".", ""):  # no ID: the first column at that locus
                    j = locus.get((r[ix["chrom"]], r[ix["pos"]]))
                if j is not None and j not in r_of:
                    r_of[j] = int(r[ix["rank"]])
            big = len(keys) + 1
            rk = np.array([r_of.get(j, big) for j in planted])
            if add:
                emit(name, "planted_top10", "%d" % int((rk <= top).sum()))
                emit(name, "planted_top10_of_chi2_top10", "%d" % sum(r_of.get(j, big) <= top for j in chi_top))
                emit(name, "planted_topK", "%d" % int((rk <= len(add)).sum()))
                emit(name, "planted_median_rank", "%d" % int(np.median(rk)))
            if len(members):
                rm = np.array([r_of.get(j, big) for j in members])
                emit(name, "pair_members_top%d" % len(members), "%d" % int((rm <= len(members)).sum()))
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(out) + "\n")


def cmd_metrics(a):
    """gdl eval's metrics.json: the first target's pooled roc_auc, or r2 and pearson"""
    import json
    t = next(iter(json.load(open(a.json))["targets"].values()))
    for k in ("roc_auc",) if t["kind"] == "binary" else ("r2", "pearson"):
        print("%s\t%.4f" % (k, t[k]) if t[k] is not None else "%s\tNA" % k)


def cmd_plant(a):
    g, _, ids = load_npy(a.npy)
    keys = catalog_keys(a.catalog)
    rng = np.random.default_rng(a.seed)
    ok = g != 255
    d = np.where(ok, g, 0).astype(float)
    af = d.sum(0) / (2 * np.maximum(ok.sum(0), 1))
    maf = np.minimum(af, 1 - af)
    carrier = ((g >= 1) & ok).sum(0) / np.maximum(ok.sum(0), 1)
    cand = np.where(maf > 0.05)[0]
    add = rng.choice(cand, a.causal, replace=False) if a.causal else np.array([], int)
    pc = np.setdiff1d(np.where((carrier > 0.4) & (carrier < 0.6))[0], add)
    pm = rng.choice(pc, 2 * a.pairs, replace=False) if a.pairs else np.array([], int)
    beta = rng.choice([-1.0, 1.0], a.causal) * rng.uniform(0.3, 0.8, a.causal)
    x = np.where(ok, d, 2 * af)
    liab = np.zeros(len(ids))
    for j, b in zip(add, beta):
        sd = np.sqrt(2 * af[j] * (1 - af[j]))
        liab += b * (x[:, j] - 2 * af[j]) / sd
    gam = []
    for k in range(a.pairs):
        ja, jb = pm[2 * k], pm[2 * k + 1]
        ca, cb = carrier[ja], carrier[jb]
        q = ca * (1 - cb) + cb * (1 - ca)
        gam.append(1 / np.sqrt(q * (1 - q)))
        liab += gam[-1] * ((g[:, ja] >= 1) != (g[:, jb] >= 1))
    gvar = float((beta ** 2).sum()) + a.pairs
    liab += np.sqrt(gvar * (1 - a.h2) / a.h2 if gvar > 0 else 1) * rng.standard_normal(len(ids))
    controls = int(np.floor(len(ids) * (1 - a.case_frac) + 1e-9))
    order = np.lexsort((np.arange(len(ids)), liab))
    dis = np.zeros(len(ids), int)
    dis[order[controls:]] = 1

    def vid(j):
        return keys[j][0] if keys[j][0] not in (".", "") else keys[j][1]

    with open(a.prefix + ".pheno.tsv", "w") as f:
        f.write("id\tdisease\ttrait\n")
        for i, s in enumerate(ids):
            f.write("%s\t%d\t%.6f\n" % (s, dis[i], liab[i]))
    with open(a.prefix + ".truth.tsv", "w") as f:
        f.write("kind\tvariant\tchrom\tpos\tgene\taf\teffect\tvariant_b\tgene_b\taf_b\n")
        for j, b in zip(add, beta):
            c, p = keys[j][1].split(":")[:2]
            f.write("additive\t%s\t%s\t%s\t.\t%.4f\t%.4f\t\t\t\n" % (vid(j), c, p, af[j], b))
        for k in range(a.pairs):
            ja, jb = pm[2 * k], pm[2 * k + 1]
            c, p = keys[ja][1].split(":")[:2]
            f.write("xor\t%s\t%s\t%s\t.\t%.4f\t%.4f\t%s\t.\t%.4f\n" % (vid(ja), c, p, af[ja], gam[k], vid(jb), af[jb]))


def cmd_population(a):
    head, rows = read_tsv(a.panel)
    ix = {h: i for i, h in enumerate(head)}
    with open(a.pheno, "w") as f:
        f.write("id\tafr\n")
        for r in rows:
            f.write("%s\t%d\n" % (r[ix["sample"]], r[ix["super_pop"]] == a.super_pop))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--npy", required=True)
    r.add_argument("--catalog", required=True)
    r.add_argument("--folds", required=True)
    r.add_argument("--truth")
    r.add_argument("--attr", action="append")
    r.add_argument("--screen", type=int, default=0)
    r.add_argument("--out")
    r.add_argument("--jobs", type=int, default=2, help="processes for the inner CV [2]")
    e = sub.add_parser("metrics")
    e.add_argument("--json", required=True)
    p = sub.add_parser("plant")
    p.add_argument("--npy", required=True)
    p.add_argument("--catalog", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--causal", type=int, default=10)
    p.add_argument("--pairs", type=int, default=0)
    p.add_argument("--h2", type=float, default=0.5)
    p.add_argument("--case-frac", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=1)
    q = sub.add_parser("population")
    q.add_argument("--panel", required=True)
    q.add_argument("--pheno", required=True)
    q.add_argument("--super-pop", default="AFR")
    a = ap.parse_args()
    {"run": cmd_run, "metrics": cmd_metrics, "plant": cmd_plant, "population": cmd_population}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
