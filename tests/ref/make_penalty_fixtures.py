#!/usr/bin/python3
"""Writes tests/data/nn/elastic_net.txt, scikit-learn's penalised logistic regressions that
tests/unit/test_penalty.c reproduces with a centred sparse_dense layer and the optimizer's
proximal elastic-net step (committed; CI does not need scikit-learn). Run by hand with Debian's
python3-sklearn:

    /usr/bin/python3 tests/ref/make_penalty_fixtures.py [OUT]

The data: N samples x V variants of dosages 0/1/2 (frequencies 0.05-0.5), a label from three of
them. scikit-learn fits standardised dosages z = (x - mu) / sd (mu, sd over all samples, ddof 0)
and minimises  (1 - rho) / 2 |b|^2 + rho |b|_1 + C sum_i logloss_i;  divided by C N that is gdl's
mean loss + l1 sum_j sd_j |w_j| + l2 / 2 sum_j sd_j^2 w_j^2 with w_j = b_j / sd_j,
l1 = rho / (C N) and l2 = (1 - rho) / (C N). The intercept is the same in both.

Format (whitespace-separated): "N V", then N rows "x_1 .. x_V y", then a row of mu and a row of
sd, then "K" cases, each "C rho intercept" and a row of the V coefficients b."""
import sys
import numpy as np
from sklearn.linear_model import LogisticRegression

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/nn/elastic_net.txt"
rng = np.random.default_rng(15)
N, V = 160, 12
p = rng.uniform(0.05, 0.5, V)
X = (rng.random((N, V)) < p).astype(int) + (rng.random((N, V)) < p).astype(int)
mu, sd = X.mean(0), X.std(0)
Z = (X - mu) / sd
eta = 1.2 * Z[:, 0] - 0.9 * Z[:, 3] + 0.6 * Z[:, 7] - 0.2
y = (rng.random(N) < 1 / (1 + np.exp(-eta))).astype(int)
cases = [(0.05, 1.0), (0.05, 0.5), (0.2, 0.3)]
with open(out, "w") as f:
    f.write("%d %d\n" % (N, V))
    for i in range(N):
        f.write(" ".join(str(v) for v in X[i]) + " %d\n" % y[i])
    f.write(" ".join("%.17g" % v for v in mu) + "\n")
    f.write(" ".join("%.17g" % v for v in sd) + "\n")
    f.write("%d\n" % len(cases))
    for C, rho in cases:
        m = LogisticRegression(penalty="elasticnet", solver="saga", C=C, l1_ratio=rho, tol=1e-12,
                               max_iter=200000)
        m.fit(Z, y)
        f.write("%.17g %.17g %.17g\n" % (C, rho, m.intercept_[0]))
        f.write(" ".join("%.17g" % v for v in m.coef_[0]) + "\n")
