/* OUT.ckpt: everything the training loop carries from one epoch to the next, written after
 * each epoch and read back by --resume. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/svg.h"
#include "cd.h"
#include "train_internal.h"

char *gdl_train_ckpt_path(const char *out)
{
    size_t n = strlen(out) + 8;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s.ckpt", out);
    return p;
}

int gdl_train_save_checkpoint(const char *path, const gdl_model_t *m, const loop_t *L)
{
    char epoch[32], step[32], batches[32], best[40], be[32], bad[32], t[32], sb[40], ss[40], sbad[32];
    snprintf(epoch, sizeof epoch, "%d", L->epoch);
    snprintf(step, sizeof step, "%" PRId64, L->step);
    snprintf(batches, sizeof batches, "%" PRId64, L->batches);
    snprintf(best, sizeof best, "%a", L->best);
    snprintf(be, sizeof be, "%d", L->best_epoch);
    snprintf(bad, sizeof bad, "%d", L->bad);
    snprintf(t, sizeof t, "%" PRId64, L->opt.t);
    snprintf(sb, sizeof sb, "%a", L->sched.best);
    snprintf(ss, sizeof ss, "%a", L->sched.scale);
    snprintf(sbad, sizeof sbad, "%d", L->sched.bad);
    char refine[64];
    snprintf(refine, sizeof refine, "%d %a %a", L->refining, (double)L->best_l1, (double)L->l1_fixed);
    int64_t np = m->g->n_param, n_opt = L->opt.m ? np : 0;
    model_extra_t extra[] = {
        {"ckpt:best_param", L->best_param, np, NULL}, {"ckpt:best_state", L->best_state, m->g->n_state, NULL},
        {"ckpt:opt_m", L->opt.m, n_opt, NULL}, {"ckpt:opt_v", L->opt.v, n_opt, NULL},
        {"ckpt.epoch", NULL, 0, epoch}, {"ckpt.step", NULL, 0, step}, {"ckpt.batches", NULL, 0, batches},
        {"ckpt.best", NULL, 0, best}, {"ckpt.best_epoch", NULL, 0, be}, {"ckpt.bad", NULL, 0, bad},
        {"ckpt.opt_t", NULL, 0, t}, {"ckpt.sched_best", NULL, 0, sb}, {"ckpt.sched_scale", NULL, 0, ss},
        {"ckpt.sched_bad", NULL, 0, sbad}, {"ckpt.l1_path", NULL, 0, refine},
    };
    int n = (int)(sizeof extra / sizeof extra[0]);
    if (!L->opt.m) { // no step taken yet: no optimizer moments to keep
        memmove(&extra[2], &extra[4], (n - 4) * sizeof *extra);
        n -= 2;
    }
    return gdl_model_write(m, NULL, path, extra, n);
}

/* Restores m's parameters and the loop state from a checkpoint written for the same config. */
int gdl_train_load_checkpoint(const char *path, gdl_model_t *m, loop_t *L)
{
    gdl_file_t *f = NULL;
    gdl_model_t *ck = gdl_model_read(path, &f, 0);
    int ret = -1;
    if (!ck) return -1;
    if (strcmp(ck->config->json, m->config->json) != 0 || ck->g->n_param != m->g->n_param) {
        gdl_log_error("%s: checkpoint of another config or settings; remove it or drop --resume", path);
        goto out;
    }
    memcpy(m->g->param, ck->g->param, m->g->n_param * sizeof(float));
    if (m->g->n_state) memcpy(m->g->state, ck->g->state, m->g->n_state * sizeof(float));
    const char *keys[] = {"ckpt.epoch", "ckpt.step", "ckpt.batches", "ckpt.best", "ckpt.best_epoch",
                          "ckpt.bad", "ckpt.opt_t", "ckpt.sched_best", "ckpt.sched_scale", "ckpt.sched_bad"};
    double v[10];
    for (int i = 0; i < 10; i++) {
        const char *s = gdl_file_meta(f, keys[i]);
        if (!s) {
            gdl_log_error("%s: checkpoint lacks %s", path, keys[i]);
            goto out;
        }
        v[i] = strtod(s, NULL);
    }
    L->epoch = (int)v[0], L->step = (int64_t)v[1], L->batches = (int64_t)v[2], L->best = v[3];
    L->best_epoch = (int)v[4], L->bad = (int)v[5], L->opt.t = (int64_t)v[6];
    L->sched.best = v[7], L->sched.scale = v[8], L->sched.bad = (int)v[9];
    const char *path_state = gdl_file_meta(f, "ckpt.l1_path"); // absent before the l1 path
    if (path_state) {
        double best_l1 = 0, fixed = 0;
        if (sscanf(path_state, "%d %la %la", &L->refining, &best_l1, &fixed) != 3) {
            gdl_log_error("%s: checkpoint's ckpt.l1_path is malformed", path);
            goto out;
        }
        L->best_l1 = (float)best_l1, L->l1_fixed = (float)fixed;
    }
    const gdl_entry_t *bp = gdl_file_find(f, "ckpt:best_param"), *bs = gdl_file_find(f, "ckpt:best_state");
    const gdl_entry_t *om = gdl_file_find(f, "ckpt:opt_m"), *ov = gdl_file_find(f, "ckpt:opt_v");
    int64_t np = m->g->n_param;
    if (!bp || (int64_t)bp->numel != np || !bs || (int64_t)bs->numel != m->g->n_state) {
        gdl_log_error("%s: checkpoint tensors missing or of the wrong size", path);
        goto out;
    }
    memcpy(L->best_param, bp->data, bp->nbytes);
    memcpy(L->best_state, bs->data, bs->nbytes);
    if (om && ov && (int64_t)om->numel == np && (int64_t)ov->numel == np) {
        L->opt.m = malloc(np * sizeof(float));
        L->opt.v = malloc(np * sizeof(float));
        if (!L->opt.m || !L->opt.v) {
            gdl_log_error("out of memory");
            goto out;
        }
        memcpy(L->opt.m, om->data, om->nbytes);
        memcpy(L->opt.v, ov->data, ov->nbytes);
        L->opt.n = np;
    }
    ret = 0;
out:
    gdl_model_free(ck);
    gdl_file_close(f);
    return ret;
}
