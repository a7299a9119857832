/* metrics.json (every key: docs/formats.md): {"targets": {T: {...}}, "macro": {...}, "median", "weighted",
 * "micro", "folds": [...]} plus a summary with the counts, what the weighted average weighs by
 * ("weights"), the fold mean and sd, and bootstrap intervals. Undefined values are null. The only
 * file of src/eval/ that includes cJSON. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

static int add_num(cJSON *o, const char *k, double v)
{
    return (isnan(v) ? cJSON_AddNullToObject(o, k) : cJSON_AddNumberToObject(o, k, v)) != NULL;
}

/* the metrics of m that apply to kind */
static int add_metrics(cJSON *o, const gdl_metrics_t *m, gdl_eval_kind_t kind)
{
    for (int i = 0; i < GDL_M_COUNT; i++)
        if (gdl_eval_metric_applies(i, kind) && !add_num(o, gdl_eval_metric_name(i), m->v[i])) return -1;
    return 0;
}

/* an aggregate: the averaged metrics of the kinds present */
static cJSON *aggregate(const gdl_metrics_t *m, int agg, int n_binary, int n_regression, int n_avg)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (agg != EVAL_AGG_MICRO) add_num(o, "n_targets", n_avg);
    else add_num(o, "n", m->v[GDL_M_N]), add_num(o, "n_pos", m->v[GDL_M_N_POS]);
    for (int i = 0; i < GDL_M_COUNT; i++) {
        if (!gdl_eval_metric_averaged(i)) continue;
        int reg = gdl_eval_metric_applies(i, GDL_EVAL_REGRESSION);
        if ((reg && (!n_regression || agg >= EVAL_AGG_WEIGHTED)) || (!reg && !n_binary)) continue;
        add_num(o, gdl_eval_metric_name(i), m->v[i]);
    }
    return o;
}

static cJSON *interval_obj(const gdl_metrics_t *lo, const gdl_metrics_t *hi, gdl_eval_kind_t kind, int agg)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o && i < GDL_M_COUNT; i++) {
        if (!gdl_eval_metric_averaged(i) && !(agg < 0 && i == GDL_M_BALANCED_ACCURACY)) continue;
        if (agg < 0 && !gdl_eval_metric_applies(i, kind)) continue;
        if (isnan(lo->v[i]) && isnan(hi->v[i]) && agg >= 0) continue;
        if (isnan(lo->v[i])) {
            cJSON_AddNullToObject(o, gdl_eval_metric_name(i));
            continue;
        }
        double pair[2] = {lo->v[i], hi->v[i]};
        cJSON_AddItemToObject(o, gdl_eval_metric_name(i), cJSON_CreateDoubleArray(pair, 2));
    }
    return o;
}

static cJSON *target_obj(const eval_preds_t *p, int t, const eval_result_t *r, const eval_report_t *rep,
                         int pooled)
{
    const eval_target_t *tg = &p->targets[t];
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "kind", gdl_eval_kind_name(tg->kind));
    add_metrics(o, &r->m, tg->kind);
    if (tg->kind != GDL_EVAL_REGRESSION) cJSON_AddBoolToObject(o, "single_class", r->single_class);
    if (tg->kind == GDL_EVAL_MULTICLASS && r->class_auc) {
        cJSON *cls = cJSON_AddArrayToObject(o, "classes");
        cJSON *auc = cJSON_AddObjectToObject(o, "class_roc_auc");
        cJSON *ap = cJSON_AddObjectToObject(o, "class_pr_auc");
        cJSON *cn = cJSON_AddObjectToObject(o, "class_n");
        cJSON *conf = cJSON_AddArrayToObject(o, "confusion");
        for (int k = 0; k < tg->K; k++) {
            cJSON_AddItemToArray(cls, cJSON_CreateString(tg->classes[k]));
            add_num(auc, tg->classes[k], r->class_auc[k]);
            add_num(ap, tg->classes[k], r->class_ap[k]);
            add_num(cn, tg->classes[k], (double)r->class_n[k]);
            cJSON *row = cJSON_CreateArray();
            for (int j = 0; j < tg->K; j++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber((double)r->confusion[k * tg->K + j]));
            cJSON_AddItemToArray(conf, row);
        }
    }
    if (pooled && rep->fs) {
        cJSON *mean = cJSON_AddObjectToObject(o, "fold_mean"), *sd = cJSON_AddObjectToObject(o, "fold_sd");
        add_metrics(mean, &rep->fs->mean[t], tg->kind);
        add_metrics(sd, &rep->fs->sd[t], tg->kind);
    }
    if (pooled && rep->ci)
        cJSON_AddItemToObject(o, "ci", interval_obj(&rep->ci->lo[t], &rep->ci->hi[t], tg->kind, -1));
    return o;
}

static int n_averaged(const eval_set_t *s) { return s->n_binary - s->n_single_class; }

static int add_set(cJSON *o, const eval_report_t *rep, const eval_set_t *s, int pooled)
{
    const eval_preds_t *p = rep->p;
    cJSON *targets = cJSON_AddObjectToObject(o, "targets");
    if (!targets) return -1;
    for (int t = 0; t < p->T; t++) {
        cJSON *to = target_obj(p, t, &s->r[t], rep, pooled);
        if (!to) return -1;
        cJSON_AddItemToObject(targets, p->targets[t].name, to);
    }
    for (int a = 0; a < EVAL_AGG_COUNT; a++) {
        int n_avg = n_averaged(s);
        cJSON *ag = aggregate(&s->agg[a], a, s->n_binary, s->n_regression, n_avg);
        if (!ag) return -1;
        if (s->n_regression && a != EVAL_AGG_MICRO) add_num(ag, "n_regression_targets", s->n_regression);
        cJSON_AddItemToObject(o, gdl_eval_agg_names[a], ag);
    }
    return 0;
}

int gdl_eval_write_json(const eval_report_t *rep, const char *path)
{
    const eval_preds_t *p = rep->p;
    const eval_set_t *all = rep->all;
    cJSON *root = cJSON_CreateObject();
    char *text = NULL;
    int rc = -1;
    if (!root) goto oom;
    cJSON_AddStringToObject(root, "file", p->path);
    cJSON_AddNumberToObject(root, "n_examples", (double)p->N);
    if (isnan(rep->o->threshold)) cJSON_AddStringToObject(root, "threshold", "best-f1");
    else cJSON_AddNumberToObject(root, "threshold", rep->o->threshold);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    add_num(sum, "n_targets", p->T);
    add_num(sum, "n_binary", all->n_binary);
    add_num(sum, "n_multiclass", all->n_multiclass);
    add_num(sum, "n_regression", all->n_regression);
    add_num(sum, "n_single_class", all->n_single_class);
    add_num(sum, "n_folds", p->n_folds);
    cJSON *wo = cJSON_AddObjectToObject(root, "weights");
    if (!wo || !cJSON_AddStringToObject(wo, "by", p->weights.by)) goto oom;
    if (p->weights.file) {
        cJSON_AddStringToObject(wo, "file", p->weights.file);
        cJSON *wt = cJSON_AddObjectToObject(wo, "targets");
        for (int t = 0; wt && t < p->T; t++)
            if (p->targets[t].kind == GDL_EVAL_BINARY) add_num(wt, p->targets[t].name, p->weights.w[t]);
    }
    if (add_set(root, rep, all, 1) != 0) goto oom;
    if (rep->ci) {
        cJSON *b = cJSON_AddObjectToObject(root, "bootstrap");
        add_num(b, "replicates", rep->ci->B);
        add_num(b, "seed", (double)rep->ci->seed);
        add_num(b, "level", rep->ci->level);
        cJSON *ci = cJSON_AddObjectToObject(root, "ci");
        for (int a = 0; a < EVAL_AGG_COUNT; a++)
            if (a != EVAL_AGG_MICRO)
                cJSON_AddItemToObject(ci, gdl_eval_agg_names[a],
                                      interval_obj(&rep->ci->agg_lo[a], &rep->ci->agg_hi[a], GDL_EVAL_BINARY, a));
    }
    cJSON *folds = cJSON_AddArrayToObject(root, "folds");
    if (!folds) goto oom;
    if (rep->folds) {
        cJSON *mean = cJSON_AddObjectToObject(root, "fold_mean"), *sd = cJSON_AddObjectToObject(root, "fold_sd");
        for (int a = 0; a < EVAL_AGG_COUNT; a++) {
            int n_avg = n_averaged(all);
            cJSON_AddItemToObject(mean, gdl_eval_agg_names[a],
                                  aggregate(&rep->fs->agg_mean[a], a, all->n_binary, all->n_regression, n_avg));
            cJSON_AddItemToObject(sd, gdl_eval_agg_names[a],
                                  aggregate(&rep->fs->agg_sd[a], a, all->n_binary, all->n_regression, n_avg));
        }
        for (int f = 0; f < p->n_folds; f++) {
            cJSON *fo = cJSON_CreateObject();
            if (!fo) goto oom;
            cJSON_AddItemToArray(folds, fo);
            cJSON_AddStringToObject(fo, "fold", p->fold_names[f]);
            add_num(fo, "n_examples", (double)rep->folds[f].n_rows);
            add_num(fo, "n_single_class", rep->folds[f].n_single_class);
            if (add_set(fo, rep, &rep->folds[f], 0) != 0) goto oom;
        }
    }
    if (!(text = cJSON_Print(root))) goto oom;
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) goto done;
    if (fputs(text, out.fp) < 0 || fputc('\n', out.fp) < 0) {
        gdl_log_write_error(path);
        gdl_outfile_abort(&out);
        goto done;
    }
    rc = gdl_eval_out_close(rep->outs, &out);
    goto done;
oom:
    gdl_log_error("out of memory writing %s", path);
done:
    free(text);
    cJSON_Delete(root);
    return rc;
}
