/* A genotype input's pair features ("pairs" in its config): the pairs the BOOST scan ranks best
 * among one model's training rows, appended to the genotypes as pair columns (gdl/dataset.h).
 * The model's catalog then lists them, so predict and attribute compute the same columns on any
 * cohort; a fold's held-out rows never take part in choosing them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/epistasis.h"
#include "model_internal.h"

const gdl_config_input_t *gdl_model_pairs_input(const gdl_config_t *c)
{
    for (int i = 0; i < c->n_inputs; i++)
        if (c->inputs[i].pairs_top > 0) return &c->inputs[i];
    return NULL;
}

/* The dataset column of the config's first target (the scan's: BOOST on a binary one, the linear
 * test on a quantitative one), or -1 with an error. */
static int scan_target(const gdl_config_t *c, const gdl_dataset_t *d)
{
    int t = 0;
    if (c->n_targets)
        for (t = 0; t < d->n_targets && strcmp(d->targets[t].name, c->targets[0]); t++) continue;
    if (t < d->n_targets && (d->targets[t].kind == GDL_TARGET_BINARY || d->targets[t].kind == GDL_TARGET_REGRESSION))
        return t;
    gdl_log_error("%s: inputs: \"pairs\" needs a binary (case/control) or quantitative target first, as the pair"
                  " scan tests one", c->path);
    return -1;
}

int gdl_model_pairs_view(const gdl_config_t *c, const gdl_dataset_t *d, const int64_t *rows, int64_t n, gdl_dataset_t *view)
{
    const gdl_config_input_t *ci = gdl_model_pairs_input(c);
    gdl_epi_pair_t *pairs = NULL;
    gdl_catalog_t cat = {0};
    gdl_geno_match_t mt = {0};
    int64_t np = 0;
    int rc = -1, t = scan_target(c, d);
    *view = *d;
    view->aligned_ = NULL;
    if (t < 0 || !d->geno) goto out;
    double M = (double)d->geno_.n_variants, p_max = ci->pairs_p > 0 ? ci->pairs_p : 0.05 / fmax(1, M * (M - 1) / 2);
    if (gdl_epistasis_top(d, t, rows, n, ci->pairs_top, p_max, &pairs, &np) != 0) goto out;
    if (gdl_log_get_level() >= GDL_LOG_INFO) {
        fprintf(stderr, "[train] %lld pair column%s chosen on %lld training rows (p <= %g)", (long long)np,
                np == 1 ? "" : "s", (long long)n, p_max);
        for (int64_t p = 0; p < np && p < 5; p++) {
            char na[256], nb[256];
            fprintf(stderr, "%s %s*%s", p ? "," : ":", gdl_genotypes_variant_name(&d->geno_, pairs[p].a, na, sizeof na),
                    gdl_genotypes_variant_name(&d->geno_, pairs[p].b, nb, sizeof nb));
        }
        fputs(np > 5 ? ", ...\n" : "\n", stderr);
    }
    if (np > 0) { // none: the model reads d's genotypes as they are, without a copy
        if (gdl_catalog_from_genotypes(&cat, &d->geno_) != 0) goto oom;
        for (int64_t p = 0; p < np; p++)
            if (gdl_catalog_push_pair(&cat, &d->geno_, d->n_examples, pairs[p].a, pairs[p].b) != 0) goto out;
        if (gdl_genotypes_match(&d->geno_, &cat, &mt) != 0 || gdl_dataset_align_genotypes(view, &cat, &mt) != 0)
            goto out;
    }
    rc = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    free(pairs), free(mt.from);
    gdl_catalog_free(&cat);
    if (rc != 0) gdl_model_pairs_view_free(view);
    return rc;
}

void gdl_model_pairs_view_free(gdl_dataset_t *view)
{
    gdl_genotypes_aligned_free(view->aligned_);
    view->aligned_ = NULL;
}
