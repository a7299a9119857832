/* Models: a config's graph built for a dataset's shapes and targets; saved and loaded as .gdl. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/data.h"
#include "model_internal.h"

void gdl_model_free(gdl_model_t *m)
{
    if (!m) return;
    gdl_config_free(m->config);
    gdl_nn_free(m->g);
    gdl_file_close(m->file);
    if (m->catalog) gdl_catalog_free(m->catalog);
    free(m->catalog);
    gdl_model_genes_free(m);
    for (int i = 0; i < m->n_targets; i++) free(m->target_names[i]);
    for (int i = 0; i < m->n_classes; i++) free(m->classes[i]);
    free(m->target_names);
    free(m->classes);
    free(m->train_prevalence);
    free(m);
}

/* A copy of s (n strings), or NULL (nothing left allocated). */
char **gdl_model_dup_strings(const char *const *s, int n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    for (int i = 0; out && i < n; i++)
        if (!(out[i] = strdup(s[i]))) {
            while (i--) free(out[i]);
            free(out);
            return NULL;
        }
    return out;
}

/* Picks the targets the output predicts and the loss that goes with their kind. */
static int select_targets(gdl_model_t *m, const gdl_dataset_t *d)
{
    const gdl_config_t *c = m->config;
    int T = c->n_targets ? c->n_targets : d->n_targets;
    const char **names = malloc((T ? T : 1) * sizeof *names);
    if (!names) return -1;
    if (T == 0) {
        gdl_log_error("%s: the dataset has no labels to train on", gdl_file_path(d->file));
        goto fail;
    }
    int first = -1;
    for (int t = 0; t < T; t++) {
        int k = t;
        if (c->n_targets) {
            for (k = 0; k < d->n_targets; k++)
                if (!strcmp(d->targets[k].name, c->targets[t])) break;
            if (k == d->n_targets) {
                gdl_log_error("%s: output.targets: the dataset has no target '%s'", c->path, c->targets[t]);
                goto fail;
            }
        }
        names[t] = d->targets[k].name;
        if (first < 0) first = k;
        if (d->targets[k].kind != d->targets[first].kind) {
            gdl_log_error("%s: output.targets: '%s' is %s, '%s' is %s; one output predicts one kind",
                          c->path, names[0], gdl_target_kind_name(d->targets[first].kind), names[t],
                          gdl_target_kind_name(d->targets[k].kind));
            goto fail;
        }
    }
    m->kind = d->targets[first].kind;
    if (m->kind == GDL_TARGET_CATEGORICAL && T != 1) {
        gdl_log_error("%s: output.targets: one categorical target per output, %d given", c->path, T);
        goto fail;
    }
    gdl_loss_kind_t want = m->kind == GDL_TARGET_BINARY ? GDL_LOSS_BCE
                           : m->kind == GDL_TARGET_REGRESSION ? GDL_LOSS_MSE : GDL_LOSS_SOFTMAX_CE;
    if (strcmp(c->loss, "auto") != 0 && gdl_loss_find(c->loss) != (int)want) {
        gdl_log_error("%s: output.loss: %s does not fit %s targets (use %s or auto)", c->path, c->loss,
                      gdl_target_kind_name(m->kind), gdl_loss_name(want));
        goto fail;
    }
    m->loss.kind = want;
    // counts set only with their lists, so gdl_model_free never reads a list that is not there
    if (!(m->target_names = gdl_model_dup_strings(names, T))) goto fail;
    m->n_targets = T;
    if (m->kind == GDL_TARGET_CATEGORICAL) {
        if (!(m->classes = gdl_model_dup_strings((const char *const *)d->targets[first].classes, d->targets[first].n_classes))) goto fail;
        m->n_classes = d->targets[first].n_classes;
    }
    m->n_out = m->kind == GDL_TARGET_CATEGORICAL ? m->n_classes : T;
    free(names);
    return 0;
fail:
    free(names);
    return -1;
}

/* Declares inputs and layers on a fresh graph from m->inputs and m->n_out; gdl_nn_compile (or
 * _blank, when every parameter is about to be loaded) then allocates its parameters. */
static int build_graph(gdl_model_t *m)
{
    const gdl_config_t *c = m->config;
    if (!(m->g = gdl_nn_new(c->train.seed))) return -1;
    for (int i = 0; i < c->n_inputs; i++) {
        const gdl_model_input_t *mi = &m->inputs[i];
        int r = mi->sparse ? gdl_nn_input_sparse(m->g, c->inputs[i].name, mi->shape[0])
                           : gdl_nn_input(m->g, c->inputs[i].name, mi->ndim, mi->shape);
        if (r < 0) {
            gdl_log_error("%s: inputs[%d]: %s", c->path, i, gdl_last_error());
            return -1;
        }
    }
    for (int i = 0; i < c->n_layers; i++) {
        const gdl_config_layer_t *l = &c->layers[i];
        char *attrs = NULL, genes[64];
        gdl_model_genes_attrs(m, i, genes, sizeof genes); // a gene layer's "groups=G links=E"
        if (l->units_from_outputs || *genes) {
            size_t n = (l->attrs ? strlen(l->attrs) : 0) + 32 + sizeof genes;
            if (!(attrs = malloc(n))) return -1;
            snprintf(attrs, n, "%s%s%s", l->attrs ? l->attrs : "", l->attrs ? " " : "", genes);
            if (l->units_from_outputs)
                snprintf(attrs + strlen(attrs), n - strlen(attrs), "%sunits=%d", *genes ? " " : "", m->n_out);
        }
        int r = gdl_nn_add(m->g, l->name, l->type, l->inputs, attrs ? attrs : l->attrs);
        free(attrs);
        if (r < 0) {
            char why[600];
            snprintf(why, sizeof why, "%s", gdl_last_error());
            gdl_log_error("%s: layers[%d] (%s): %s", c->path, i, l->name, why);
            return -1;
        }
    }
    int64_t shape[GDL_NN_MAX_DIMS];
    int nd = gdl_nn_shape(m->g, c->output_layer, shape);
    if (nd != 1 || shape[0] != m->n_out) {
        gdl_log_error("%s: output.layer: '%s' must give %d values per example (one per %s), it gives"
                      " %" PRId64 "%s; end with a dense layer of \"units\": \"outputs\"", c->path,
                      c->output_layer, m->n_out, m->kind == GDL_TARGET_CATEGORICAL ? "class" : "target",
                      nd >= 1 ? shape[0] : 0, nd > 1 ? " and more dimensions" : "");
        return -1;
    }
    return 0;
}

/* A centred sparse_dense layer's "center" state: each variant's mean value over the cohort's
 * called genotypes (the value a missing call gets), kept with the model for scoring. */
static void fill_genotype_means(gdl_model_t *m, const gdl_dataset_t *d)
{
    const gdl_config_t *c = m->config;
    for (int i = 0; d->geno && i < c->n_layers; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s.center", c->layers[i].name);
        const gdl_nn_param_t *p = gdl_nn_find_param(m->g, name);
        if (!p || p->numel != d->geno->n_variants) continue;
        float *mu = gdl_nn_param_data(m->g, p);
        for (int64_t j = 0; j < p->numel; j++) mu[j] = gdl_genotypes_call_value(d->geno, j, 3);
    }
}

gdl_model_t *gdl_model_build(gdl_config_t *c, const gdl_dataset_t *d)
{
    gdl_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        gdl_config_free(c);
        gdl_log_error("out of memory");
        return NULL;
    }
    m->config = c;
    for (int i = 0; i < c->n_inputs; i++)
        if (gdl_feed_input_shape(&c->inputs[i], d, &m->inputs[i]) != 0) goto fail;
    if (d->geno) {
        m->has_catalog = 1;
        m->catalog_hash = gdl_genotypes_catalog_hash(d->geno);
        m->encoding = d->geno->encoding;
        if (!(m->catalog = calloc(1, sizeof *m->catalog)) || gdl_catalog_from_genotypes(m->catalog, d->geno)) {
            gdl_log_error("out of memory");
            goto fail;
        }
    }
    if (select_targets(m, d) != 0 || gdl_model_genes_make(m, d) != 0 || build_graph(m) != 0 ||
        gdl_nn_compile(m->g) != 0 ||
        gdl_model_genes_set(m) != 0)
        goto fail;
    fill_genotype_means(m, d);
    return m;
fail:
    gdl_model_free(m);
    return NULL;
}

/* shape's ndim sizes joined by sep into buf ("4x1000", "8 x 2"). */
static const char *shape_text(const int64_t *shape, int ndim, const char *sep, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (int k = 0; k < ndim && at < size; k++)
        at += (size_t)snprintf(buf + at, size - at, "%s%" PRId64, k ? sep : "", shape[k]);
    return buf;
}

static const char *const input_kind_names[] = {"", "dna", "numeric", "genotypes"};

/* The kind's name as stored ("dna2" for a DNA input of order 2). */
static const char *input_kind_text(const gdl_model_input_t *mi, char *buf, size_t size)
{
    if (mi->kind == GDL_MODEL_INPUT_DNA && mi->order > 1) snprintf(buf, size, "dna%d", mi->order);
    else snprintf(buf, size, "%s", input_kind_names[mi->kind]);
    return buf;
}

int gdl_model_check_encoding(const gdl_model_t *m, const gdl_genotypes_t *g, const char *path)
{
    if (!m->catalog || g->encoding == m->encoding) return 0;
    gdl_log_error("%s: genotypes encoded as %s, the model was trained on %s: encode the cohort with"
                  " --encoding %s", path, gdl_geno_encoding_name(g->encoding), gdl_geno_encoding_name(m->encoding),
                  gdl_geno_encoding_name(m->encoding));
    return -1;
}

int gdl_model_check_data(const gdl_model_t *m, const gdl_dataset_t *d, int *target_index)
{
    const gdl_config_t *c = m->config;
    for (int i = 0; i < c->n_inputs; i++) {
        gdl_model_input_t mi;
        char want[64], have[64];
        if (gdl_feed_input_shape(&c->inputs[i], d, &mi) != 0) return -1;
        shape_text(m->inputs[i].shape, m->inputs[i].ndim, "x", want, sizeof want);
        shape_text(mi.shape, mi.ndim, "x", have, sizeof have);
        if (strcmp(want, have) != 0) {
            gdl_log_error("%s: input '%s' has shape %s, the model was trained on %s",
                          gdl_file_path(d->file), c->inputs[i].name, have, want);
            return -1;
        }
        if (m->inputs[i].kind != GDL_MODEL_INPUT_UNKNOWN &&
            (m->inputs[i].kind != mi.kind || m->inputs[i].order != mi.order)) {
            gdl_log_error("%s: input '%s' is %s, the model was trained on %s", gdl_file_path(d->file),
                          c->inputs[i].name, input_kind_text(&mi, have, sizeof have),
                          input_kind_text(&m->inputs[i], want, sizeof want));
            return -1;
        }
    }
    if (d->geno && gdl_model_check_encoding(m, d->geno, gdl_file_path(d->file)) != 0) return -1;
    if (m->has_catalog && d->geno && gdl_genotypes_catalog_hash(d->geno) != m->catalog_hash) {
        gdl_log_error("%s: the variant catalog differs from the model's (other variants, order or"
                      " alleles): encode the cohort with the same sites", gdl_file_path(d->file));
        return -1;
    }
    for (int t = 0; t < m->n_targets; t++) {
        target_index[t] = -1;
        for (int k = 0; k < d->n_targets; k++)
            if (!strcmp(d->targets[k].name, m->target_names[t])) target_index[t] = k;
        if (target_index[t] >= 0 && d->targets[target_index[t]].kind != m->kind) {
            gdl_log_error("%s: target '%s' is %s, the model predicts it as %s", gdl_file_path(d->file),
                          m->target_names[t], gdl_target_kind_name(d->targets[target_index[t]].kind),
                          gdl_target_kind_name(m->kind));
            return -1;
        }
    }
    return 0;
}

int gdl_model_set_prevalence(gdl_model_t *m, const gdl_dataset_t *d, const int *target_index, const int64_t *rows,
                         int64_t n)
{
    if (m->kind == GDL_TARGET_REGRESSION) return 0;
    double *p = malloc((size_t)m->n_out * sizeof *p);
    free(m->train_prevalence);
    m->train_prevalence = NULL;
    if (!p || !(m->train_prevalence = malloc((size_t)m->n_out * sizeof *m->train_prevalence))) {
        free(p);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int k = 0; k < m->n_out; k++) p[k] = NAN;
    if (m->kind == GDL_TARGET_CATEGORICAL) {
        if (target_index[0] >= 0) gdl_dataset_prevalence(d, target_index[0], rows, n, p);
    } else {
        for (int t = 0; t < m->n_targets; t++)
            if (target_index[t] >= 0) gdl_dataset_prevalence(d, target_index[t], rows, n, &p[t]);
    }
    for (int k = 0; k < m->n_out; k++) m->train_prevalence[k] = (float)p[k];
    m->train_rows = n;
    free(p);
    return 0;
}

/* ---- files ---------------------------------------------------------------------------------- */

static char *join(char *const *s, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(s[i]) + 1;
    char *out = malloc(len);
    if (!out) return NULL;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, "\t");
        strcat(out, s[i]);
    }
    return out;
}

static int set_meta_fmt(gdl_writer_t *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_meta_fmt(gdl_writer_t *w, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return gdl_writer_set_meta(w, key, buf);
}

int gdl_model_write(const gdl_model_t *m, const gdl_model_info_t *info, const char *path,
                const model_extra_t *extra, int n_extra)
{
    const gdl_config_t *c = m->config;
    gdl_nn_t *g = m->g;
    gdl_writer_t *w = gdl_writer_new();
    char key[160], *targets = join(m->target_names, m->n_targets), *classes = join(m->classes, m->n_classes);
    int ret = -1, *slot = malloc((g->n_table + n_extra + 1) * sizeof *slot), prev = -1;
    gdl_catalog_slots_t cat;
    if (!w || !targets || !classes || !slot) goto out;
    if (m->catalog && (gdl_catalog_declare(w, m->catalog, &cat) ||
                       gdl_writer_set_meta(w, GDL_GENO_INPUT ".encoding", gdl_geno_encoding_name(m->encoding))))
        goto out;
    for (int i = 0; i < g->n_table; i++) {
        const gdl_nn_param_t *p = &g->table[i];
        snprintf(key, sizeof key, "%s:%s", p->is_state ? "state" : "param", p->name);
        if ((slot[i] = gdl_writer_add(w, key, GDL_F32, p->ndim, p->shape)) < 0) goto out;
    }
    if (m->train_prevalence) {
        int64_t n = m->n_out;
        if ((prev = gdl_writer_add(w, "train:prevalence", GDL_F32, 1, &n)) < 0) goto out;
    }
    for (int i = 0; i < n_extra; i++) {
        if (extra[i].data) {
            int64_t n = extra[i].n;
            if ((slot[g->n_table + i] = gdl_writer_add(w, extra[i].name, GDL_F32, 1, &n)) < 0) goto out;
        } else if (gdl_writer_set_meta(w, extra[i].name, extra[i].value)) {
            goto out;
        }
    }
    if (gdl_writer_set_meta(w, "gdl.kind", "model") || gdl_writer_set_meta(w, "gdl.version", GDL_VERSION) ||
        gdl_writer_set_meta(w, "gdl.config", c->json) || gdl_writer_set_meta(w, "gdl.targets", targets) ||
        gdl_writer_set_meta(w, "gdl.target_kind", gdl_target_kind_name(m->kind)) ||
        gdl_writer_set_meta(w, "gdl.loss", gdl_loss_name(m->loss.kind)) ||
        (m->n_classes && gdl_writer_set_meta(w, "gdl.classes", classes)) ||
        set_meta_fmt(w, "gdl.seed", "%" PRIu64, c->train.seed) ||
        (m->has_catalog && set_meta_fmt(w, "gdl.catalog_hash", "%016" PRIx64, m->catalog_hash)) ||
        (m->train_prevalence && set_meta_fmt(w, "gdl.train_rows", "%" PRId64, m->train_rows)) ||
        gdl_model_genes_save(m, w))
        goto out;
    for (int i = 0; i < c->n_inputs; i++) {
        char shape[64], kind[16];
        shape_text(m->inputs[i].shape, m->inputs[i].ndim, "x", shape, sizeof shape);
        snprintf(key, sizeof key, "gdl.input:%s", c->inputs[i].name);
        if (set_meta_fmt(w, key, "%s%s", m->inputs[i].sparse ? "sparse:" : "", shape)) goto out;
        snprintf(key, sizeof key, "gdl.input_kind:%s", c->inputs[i].name);
        if (m->inputs[i].kind && set_meta_fmt(w, key, "%s", input_kind_text(&m->inputs[i], kind, sizeof kind))) goto out;
    }
    if (info && ((info->data_path && gdl_writer_set_meta(w, "gdl.data", info->data_path)) ||
                 set_meta_fmt(w, "gdl.epochs", "%d", info->epochs_run) ||
                 set_meta_fmt(w, strcmp(c->train.early_stop, "metric") ? "gdl.best_val_loss" : "gdl.best_val_metric",
                              "%.9g", info->best_val_loss) ||
                 (info->n_folds && set_meta_fmt(w, "gdl.fold", "%d/%d", info->fold, info->n_folds))))
        goto out;
    if (gdl_writer_open(w, path) != 0) goto out;
    for (int i = 0; i < g->n_table; i++)
        if (gdl_writer_write(w, slot[i], gdl_nn_param_data(g, &g->table[i]),
                             (uint64_t)g->table[i].numel * sizeof(float)) != 0)
            goto out;
    if (prev >= 0 && gdl_writer_write(w, prev, m->train_prevalence, (uint64_t)m->n_out * sizeof(float)) != 0) goto out;
    for (int i = 0; i < n_extra; i++)
        if (extra[i].data &&
            gdl_writer_write(w, slot[g->n_table + i], extra[i].data, (uint64_t)extra[i].n * sizeof(float)) != 0)
            goto out;
    if (m->catalog && gdl_catalog_write(w, m->catalog, &cat)) goto out;
    ret = gdl_writer_commit(w);
out:
    if (ret != 0 && !*gdl_last_error()) gdl_log_error("%s: out of memory", path);
    gdl_writer_free(w);
    free(targets), free(classes), free(slot);
    return ret;
}

int gdl_model_save(const gdl_model_t *m, const gdl_model_info_t *info, const char *path)
{
    return gdl_model_write(m, info, path, NULL, 0);
}

/* "sparse:75203" or "4x1000" into mi; -1 when malformed. */
static int parse_input_kind(const char *s, gdl_model_input_t *mi)
{
    if (!strcmp(s, "dna2")) return mi->kind = GDL_MODEL_INPUT_DNA, mi->order = 2, 0;
    for (int k = 1; k < (int)(sizeof input_kind_names / sizeof *input_kind_names); k++)
        if (!strcmp(s, input_kind_names[k])) {
            mi->kind = (gdl_model_input_kind_t)k, mi->order = k == GDL_MODEL_INPUT_DNA;
            return 0;
        }
    return -1;
}

static int parse_input_shape(const char *s, gdl_model_input_t *mi)
{
    memset(mi, 0, sizeof *mi);
    if (!strncmp(s, "sparse:", 7)) mi->sparse = 1, s += 7;
    while (*s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v <= 0 || mi->ndim == GDL_NN_MAX_DIMS) return -1;
        mi->shape[mi->ndim++] = v;
        s = *end == 'x' ? end + 1 : end;
        if (*end && *end != 'x') return -1;
    }
    return mi->ndim ? 0 : -1;
}

/* A tab-joined metadata list as n malloc'd strings; NULL (nothing allocated) when out of memory. */
static char **tab_list(const char *s, int *n)
{
    int k = 1;
    for (const char *p = s; *p; p++) k += *p == '\t';
    char **out = calloc(k, sizeof *out);
    for (int i = 0; out && i < k; i++) {
        size_t len = strcspn(s, "\t");
        if (!(out[i] = strndup(s, len))) {
            while (i > 0) free(out[--i]);
            free(out);
            out = NULL;
            break;
        }
        s += len + (s[len] == '\t');
    }
    if (out) *n = k;
    else gdl_log_error("out of memory");
    return out;
}

/* The training catalog of a model file, when it has one (models written before gdl stored
 * catalogs have only the hash); -1 with an error. */
static int read_catalog(gdl_model_t *m, const gdl_file_t *f)
{
    const gdl_entry_t *e = gdl_file_find(f, "catalog:pos");
    const char *enc = gdl_file_meta(f, GDL_GENO_INPUT ".encoding");
    if (!e) return 0;
    int k = enc ? gdl_geno_encoding_from_name(enc) : -1;
    if (k < 0 || e->ndim != 1) {
        gdl_log_error("%s: the variant catalog has no genotype encoding or a bad shape", gdl_file_path(f));
        return -1;
    }
    m->encoding = (gdl_geno_encoding_t)k;
    if (!(m->catalog = calloc(1, sizeof *m->catalog))) {
        gdl_log_error("out of memory");
        return -1;
    }
    return gdl_catalog_load(f, e->shape[0], m->catalog);
}

/* train:prevalence and gdl.train_rows, when the file has them (older models do not); -1 with an
 * error when malformed. */
static int read_prevalence(gdl_model_t *m, const gdl_file_t *f)
{
    const gdl_entry_t *e = gdl_file_find(f, "train:prevalence");
    const char *rows = gdl_file_meta(f, "gdl.train_rows");
    if (!e) return 0;
    if (e->dtype != GDL_F32 || e->ndim != 1 || e->shape[0] != m->n_out) {
        gdl_log_error("%s: tensor train:prevalence is not F32 (%d), one value per %s", gdl_file_path(f), m->n_out,
                      m->kind == GDL_TARGET_CATEGORICAL ? "class" : "target");
        return -1;
    }
    if (!(m->train_prevalence = malloc((size_t)m->n_out * sizeof *m->train_prevalence))) {
        gdl_log_error("out of memory");
        return -1;
    }
    memcpy(m->train_prevalence, e->data, e->nbytes);
    m->train_rows = rows ? strtoll(rows, NULL, 10) : 0;
    return 0;
}

gdl_model_t *gdl_model_read(const char *path, gdl_file_t **file, int mapped)
{
    gdl_file_t *f = gdl_file_open(path);
    gdl_model_t *m = NULL;
    const char *v;
    char key[160];
    if (!f) return NULL;
    if (!(v = gdl_file_meta(f, "gdl.kind")) || strcmp(v, "model") != 0) {
        gdl_log_error("%s: not a gdl model (gdl.kind is %s)", path, v ? v : "missing");
        goto fail;
    }
    if (!(m = calloc(1, sizeof *m))) goto fail;
    const char *json = gdl_file_meta(f, "gdl.config"), *targets = gdl_file_meta(f, "gdl.targets"),
               *kind = gdl_file_meta(f, "gdl.target_kind"), *loss = gdl_file_meta(f, "gdl.loss");
    if (!json || !targets || !kind || !loss || gdl_target_kind_from_name(kind) < 0 || gdl_loss_find(loss) < 0) {
        gdl_log_error("%s: model metadata incomplete (gdl.config, gdl.targets, gdl.target_kind, gdl.loss)", path);
        goto fail;
    }
    char label[200];
    snprintf(label, sizeof label, "%s (gdl.config)", path);
    if (!(m->config = gdl_config_load(label, json))) goto fail; // the text given: label only names it
    m->kind = (gdl_target_kind_t)gdl_target_kind_from_name(kind);
    m->loss.kind = (gdl_loss_kind_t)gdl_loss_find(loss);
    if (!(m->target_names = tab_list(targets, &m->n_targets))) goto fail;
    if ((v = gdl_file_meta(f, "gdl.classes")) && !(m->classes = tab_list(v, &m->n_classes))) goto fail;
    m->n_out = m->kind == GDL_TARGET_CATEGORICAL ? m->n_classes : m->n_targets;
    if ((v = gdl_file_meta(f, "gdl.catalog_hash"))) {
        m->has_catalog = 1;
        m->catalog_hash = strtoull(v, NULL, 16);
    }
    if (read_catalog(m, f) != 0 || read_prevalence(m, f) != 0) goto fail;
    for (int i = 0; i < m->config->n_inputs; i++) {
        snprintf(key, sizeof key, "gdl.input:%s", m->config->inputs[i].name);
        if (!(v = gdl_file_meta(f, key)) || parse_input_shape(v, &m->inputs[i]) != 0) {
            gdl_log_error("%s: metadata %s missing or malformed", path, key);
            goto fail;
        }
        snprintf(key, sizeof key, "gdl.input_kind:%s", m->config->inputs[i].name);
        if ((v = gdl_file_meta(f, key)) && parse_input_kind(v, &m->inputs[i]) != 0) {
            gdl_log_error("%s: metadata %s: '%s' is not dna, dna2, numeric or genotypes", path, key, v);
            goto fail;
        }
    }
    if (gdl_model_genes_load(m, f, path) != 0 || build_graph(m) != 0) goto fail;
    // every parameter the config asks for is checked against the file before any is allocated,
    // so a config asking for a layer larger than the file holds is refused, not attempted
    for (int i = 0; i < m->g->n_table; i++) {
        const gdl_nn_param_t *p = &m->g->table[i];
        snprintf(key, sizeof key, "%s:%s", p->is_state ? "state" : "param", p->name);
        const gdl_entry_t *e = gdl_file_find(f, key);
        int same_shape = e && e->ndim == p->ndim;
        for (int k = 0; same_shape && k < p->ndim; k++) same_shape = e->shape[k] == p->shape[k];
        if (!e || e->dtype != GDL_F32 || (int64_t)e->numel != p->numel || !same_shape) {
            char got[96], want[96];
            if (!e) gdl_log_error("%s: tensor %s missing (the config's layers need it)", path, key);
            else if (e->dtype != GDL_F32 || (int64_t)e->numel != p->numel)
                gdl_log_error("%s: tensor %s holds %" PRIu64 " %s values, the config's layers need %" PRId64
                              " F32", path, key, e->numel, gdl_dtype_name(e->dtype), p->numel);
            else
                gdl_log_error("%s: tensor %s has shape %s, the config's layers need %s", path, key,
                              shape_text(e->shape, e->ndim, " x ", got, sizeof got),
                              shape_text(p->shape, p->ndim, " x ", want, sizeof want));
            goto fail;
        }
    }
    if (gdl_nn_compile_blank(m->g) != 0) goto fail;
    for (int i = 0; i < m->g->n_table; i++) {
        const gdl_nn_param_t *p = &m->g->table[i];
        snprintf(key, sizeof key, "%s:%s", p->is_state ? "state" : "param", p->name);
        const gdl_entry_t *e = gdl_file_find(f, key);
        if (mapped && (uintptr_t)e->data % sizeof(float) == 0) m->g->table[i].mapped = (const float *)e->data;
        else memcpy(gdl_nn_param_data(m->g, p), e->data, e->nbytes);
    }
    if (mapped) m->file = f;
    else if (file) *file = f;
    else gdl_file_close(f);
    return m;
fail:
    gdl_file_close(f);
    gdl_model_free(m);
    return NULL;
}

gdl_model_t *gdl_model_load(const char *path) { return gdl_model_read(path, NULL, 0); }
gdl_model_t *gdl_model_load_mapped(const char *path) { return gdl_model_read(path, NULL, 1); }
