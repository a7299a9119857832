/* --weights-from: the weighted averages weigh each binary target by a fixed prevalence (the
 * DeepSEA study weighs its average AUCs by each target's frequency in the training set) instead
 * of its positive frequency among the rows evaluated. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"
#include "gdl/dataset.h"
#include "gdl/model.h"

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

/* target name of the predictions is absent from the weights file (kind NULL) or of another kind */
static void target_error(const char *path, const char *name, const char *kind)
{
    if (!kind) gdl_log_error("%s (--weights-from): no target '%s'", path, name);
    else gdl_log_error("%s (--weights-from): target '%s' is %s there, not binary", path, name, kind);
}

/* a model's train:prevalence for each binary target of p */
static int from_model(eval_preds_t *p, const char *path)
{
    gdl_model_t *m = gdl_model_load_mapped(path);
    int rc = -1;
    if (!m) return -1;
    if (!m->train_prevalence) {
        if (m->kind == GDL_TARGET_REGRESSION)
            gdl_log_error("%s (--weights-from): the model predicts regression targets, which have no prevalence", path);
        else
            gdl_log_error("%s (--weights-from): the model stores no training prevalence (a model file written before"
                          " gdl kept it); retrain it, or weigh by a dataset's labels (--weights-from DATA.gdl)", path);
        goto done;
    }
    for (int t = 0; t < p->T; t++) {
        const char *name = p->targets[t].name;
        if (p->targets[t].kind != GDL_EVAL_BINARY) continue;
        int at = name_index((const char *const *)m->target_names, m->n_targets, name);
        if (at < 0 || m->kind != GDL_TARGET_BINARY) {
            target_error(path, name, at < 0 ? NULL : gdl_target_kind_name(m->kind));
            goto done;
        }
        p->weights.w[t] = m->train_prevalence[at];
    }
    p->weights.by = "training prevalence";
    rc = 0;
done:
    gdl_model_free(m);
    return rc;
}

/* a dataset's label prevalence for each binary target of p */
static int from_dataset(eval_preds_t *p, const char *path)
{
    gdl_dataset_t *d = gdl_dataset_open(path);
    if (!d) return -1;
    const char **names = malloc(sizeof *names * (size_t)(d->n_targets + 1));
    int rc = -1;
    if (!names) {
        gdl_log_error("out of memory");
        goto done;
    }
    for (int k = 0; k < d->n_targets; k++) names[k] = d->targets[k].name;
    for (int t = 0; t < p->T; t++) {
        const char *name = p->targets[t].name;
        if (p->targets[t].kind != GDL_EVAL_BINARY) continue;
        int at = name_index(names, d->n_targets, name);
        if (at < 0 || d->targets[at].kind != GDL_TARGET_BINARY) {
            target_error(path, name, at < 0 ? NULL : gdl_target_kind_name(d->targets[at].kind));
            goto done;
        }
        gdl_dataset_prevalence(d, at, NULL, 0, &p->weights.w[t]);
    }
    p->weights.by = "label prevalence";
    rc = 0;
done:
    free(names);
    gdl_dataset_close(d);
    return rc;
}

int gdl_eval_weights_read(eval_preds_t *p, const char *path)
{
    p->weights.by = "evaluated positives";
    if (!path) return 0;
    gdl_file_t *f = gdl_file_open(path);
    if (!f) return -1; // the reason names the file
    const char *v = gdl_file_meta(f, "gdl.kind");
    char kind[16];
    snprintf(kind, sizeof kind, "%s", v ? v : "");
    gdl_file_close(f);
    if (strcmp(kind, "model") && strcmp(kind, "dataset")) {
        gdl_log_error("%s (--weights-from): neither a model nor a dataset (gdl.kind is '%s')", path, kind);
        return -1;
    }
    if (!(p->weights.w = malloc(sizeof *p->weights.w * (size_t)(p->T > 0 ? p->T : 1)))) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int t = 0; t < p->T; t++) p->weights.w[t] = NAN;
    p->weights.file = path;
    return strcmp(kind, "model") ? from_dataset(p, path) : from_model(p, path);
}
