/* Sequence (seq8) and numeric (f32) inputs of a dataset, and reverse-complement groups: the
 * second half of the schema in docs/formats.md. N examples, L positions, C channels. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

static const char *const input_formats[GDL_INPUT_FORMAT_COUNT] = {
    [GDL_INPUT_SEQ8] = "seq8",
    [GDL_INPUT_F32] = "f32",
};
_Static_assert(GDL_INPUT_FORMAT_COUNT == 2, "input formats table");

const char *gdl_input_format_name(gdl_input_format_t f)
{
    return f < GDL_INPUT_FORMAT_COUNT ? input_formats[f] : "?";
}

char gdl_base_normalize(int c)
{
    switch (c) {
    case 'A': case 'a': return 'A';
    case 'C': case 'c': return 'C';
    case 'G': case 'g': return 'G';
    case 'T': case 't': return 'T';
    case 'N': case 'n': case 'R': case 'r': case 'Y': case 'y': case 'S': case 's':
    case 'W': case 'w': case 'K': case 'k': case 'M': case 'm': case 'B': case 'b':
    case 'D': case 'd': case 'H': case 'h': case 'V': case 'v':
        return 'N';
    }
    return 0;
}

char gdl_base_complement(char b)
{
    switch (b) {
    case 'A': return 'T';
    case 'C': return 'G';
    case 'G': return 'C';
    case 'T': return 'A';
    }
    return 'N';
}

/* 1 when names holds exactly C non-empty names joined by ','. */
static int channel_names_fit(const char *names, int64_t C)
{
    int64_t n = 1;
    if (!*names || *names == ',') return 0;
    for (const char *p = names; *p; p++)
        if (*p == ',') {
            if (p[1] == ',' || !p[1]) return 0;
            n++;
        }
    return n == C;
}

static int set_meta_i64(gdl_writer_t *w, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return gdl_writer_set_meta(w, key, buf);
}

int gdl_inputs_declare(gdl_writer_t *w, const gdl_dataset_spec_t *spec, const gdl_input_t *in,
                       int n, int with_rc_group, gdl_inputs_slots_t *slots)
{
    int64_t N = spec->n_examples;
    memset(slots, -1, sizeof *slots);
    if (n < 0 || n > GDL_DATASET_MAX_INPUTS) {
        gdl_log_error("%d inputs; at most %d are supported", n, GDL_DATASET_MAX_INPUTS);
        return -1;
    }
    size_t cap = 16;
    for (int i = 0; i < n; i++) cap += strlen(in[i].name) + 1;
    char *list = malloc(cap), key[300];
    if (!list) {
        gdl_log_error("out of memory");
        return -1;
    }
    strcpy(list, spec->catalog ? "genotypes" : "");
    for (int i = 0; i < n; i++) {
        const gdl_input_t *x = &in[i];
        size_t len = strlen(x->name);
        int clash = strcmp(x->name, "genotypes") == 0;
        for (int j = 0; j < i; j++) clash |= strcmp(in[j].name, x->name) == 0;
        if (!len || len > 200 || strchr(x->name, ',') || clash) {
            gdl_log_error("input name '%s' is %s", x->name,
                          clash ? "reserved (genotypes) or used twice" : "empty, too long or holds a comma");
            goto fail;
        }
        if (x->format >= GDL_INPUT_FORMAT_COUNT || x->length < 1 ||
            (x->format == GDL_INPUT_F32 && x->channels < 1) || x->order < 0 || x->order > 2) {
            gdl_log_error("input '%s': bad format or shape", x->name);
            goto fail;
        }
        if (*list) strcat(list, ",");
        strcat(list, x->name);
        snprintf(key, sizeof key, "input:%s", x->name);
        int64_t shape[3] = {N, x->format == GDL_INPUT_SEQ8 ? x->length : x->channels, x->length};
        if (x->format == GDL_INPUT_SEQ8)
            slots->input[i] = gdl_writer_add(w, key, GDL_U8, 2, shape);
        else
            slots->input[i] = gdl_writer_add(w, key, GDL_F32, 3, shape);
        if (slots->input[i] < 0) goto fail;
        snprintf(key, sizeof key, "input:%s.format", x->name);
        if (gdl_writer_set_meta(w, key, gdl_input_format_name(x->format))) goto fail;
        snprintf(key, sizeof key, "input:%s.length", x->name);
        if (set_meta_i64(w, key, x->length)) goto fail;
        if (x->format == GDL_INPUT_F32) {
            snprintf(key, sizeof key, "input:%s.channels", x->name);
            if (set_meta_i64(w, key, x->channels)) goto fail;
            if (x->channel_names) {
                if (!channel_names_fit(x->channel_names, x->channels)) {
                    gdl_log_error("input '%s': channel names '%s' are not %" PRId64 " non-empty names",
                                  x->name, x->channel_names, x->channels);
                    goto fail;
                }
                snprintf(key, sizeof key, "input:%s.channel_names", x->name);
                if (gdl_writer_set_meta(w, key, x->channel_names)) goto fail;
            }
        } else if (x->order > 1) { // absent = 1: datasets from before orders read as they did
            snprintf(key, sizeof key, "input:%s.order", x->name);
            if (set_meta_i64(w, key, x->order)) goto fail;
        }
    }
    if (gdl_writer_set_meta(w, "gdl.inputs", list)) goto fail;
    if (with_rc_group) {
        int64_t shape[1] = {N};
        if ((slots->rc_group = gdl_writer_add(w, GDL_RC_GROUP, GDL_I64, 1, shape)) < 0) goto fail;
    }
    free(list);
    return 0;
fail:
    free(list);
    return -1;
}

static int meta_count(const gdl_file_t *f, const char *key, int64_t *out)
{
    const char *v = gdl_file_meta(f, key);
    char *end;
    if (!v) {
        gdl_log_error("%s: metadata '%s' missing", gdl_file_path(f), key);
        return -1;
    }
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < 1) {
        gdl_log_error("%s: metadata '%s' = '%s' is not a positive count", gdl_file_path(f), key, v);
        return -1;
    }
    *out = x;
    return 0;
}

static int open_one(gdl_dataset_t *d, gdl_input_t *x)
{
    const gdl_file_t *f = d->file;
    const char *path = gdl_file_path(f);
    char key[300];
    snprintf(key, sizeof key, "input:%s.format", x->name);
    const char *fmt = gdl_file_meta(f, key);
    if (!fmt) {
        gdl_log_error("%s: input '%s' listed in gdl.inputs but metadata '%s' missing", path,
                      x->name, key);
        return -1;
    }
    if (strcmp(fmt, "seq8") == 0) x->format = GDL_INPUT_SEQ8;
    else if (strcmp(fmt, "f32") == 0) x->format = GDL_INPUT_F32;
    else {
        gdl_log_error("%s: input '%s': unknown format '%s'", path, x->name, fmt);
        return -1;
    }
    snprintf(key, sizeof key, "input:%s.length", x->name);
    if (meta_count(f, key, &x->length)) return -1;
    if (x->format == GDL_INPUT_F32) {
        snprintf(key, sizeof key, "input:%s.channels", x->name);
        if (meta_count(f, key, &x->channels)) return -1;
        snprintf(key, sizeof key, "input:%s.channel_names", x->name);
        x->channel_names = gdl_file_meta(f, key);
        if (x->channel_names && !channel_names_fit(x->channel_names, x->channels)) {
            gdl_log_error("%s: metadata '%s' = '%s' is not %" PRId64 " non-empty names joined by ','",
                          path, key, x->channel_names, x->channels);
            return -1;
        }
    } else {
        snprintf(key, sizeof key, "input:%s.order", x->name);
        x->order = 1;
        if (gdl_file_meta(f, key)) {
            int64_t order;
            if (meta_count(f, key, &order)) return -1;
            if (order > 2) {
                gdl_log_error("%s: metadata '%s' = %" PRId64 ": orders 1 and 2 are supported", path, key, order);
                return -1;
            }
            x->order = (int)order;
        }
        x->channels = x->order == 2 ? 16 : 4;
    }
    snprintf(key, sizeof key, "input:%s", x->name);
    const gdl_entry_t *e = gdl_file_find(f, key);
    int ok = e && e->shape[0] == d->n_examples;
    if (ok && x->format == GDL_INPUT_SEQ8)
        ok = e->dtype == GDL_U8 && e->ndim == 2 && e->shape[1] == x->length;
    else if (ok)
        ok = e->dtype == GDL_F32 && e->ndim == 3 && e->shape[1] == x->channels &&
             e->shape[2] == x->length;
    if (!ok) {
        gdl_log_error("%s: tensor '%s' %s (format %s, %" PRId64 " examples, length %" PRId64 ")",
                      path, key, e ? "has the wrong dtype or shape" : "missing", fmt,
                      d->n_examples, x->length);
        return -1;
    }
    if (x->format == GDL_INPUT_SEQ8) {
        const uint8_t *b = e->data;
        for (uint64_t i = 0; i < e->nbytes; i++)
            if (b[i] != 'A' && b[i] != 'C' && b[i] != 'G' && b[i] != 'T' && b[i] != 'N') {
                gdl_log_error("%s: tensor '%s': byte %d at example %" PRIu64 ", position %" PRIu64
                              " is not A, C, G, T or N", path, key, b[i],
                              i / (uint64_t)x->length, i % (uint64_t)x->length);
                return -1;
            }
        x->bases = b;
    } else {
        x->values = e->data;
    }
    return 0;
}

int gdl_dataset_open_inputs(gdl_dataset_t *d)
{
    const gdl_file_t *f = d->file;
    const char *list = gdl_file_meta(f, "gdl.inputs");
    const gdl_entry_t *rc = gdl_file_find(f, GDL_RC_GROUP);
    if (rc) {
        if (rc->dtype != GDL_I64 || rc->ndim != 1 || rc->shape[0] != d->n_examples) {
            gdl_log_error("%s: tensor '%s' is not I64 (%" PRId64 ")", gdl_file_path(f),
                          GDL_RC_GROUP, d->n_examples);
            return -1;
        }
        const int64_t *g = rc->data;
        for (int64_t i = 0; i < d->n_examples; i++)
            if (g[i] < 0 || g[i] >= d->n_examples) {
                gdl_log_error("%s: tensor '%s': value %" PRId64 " at %" PRId64 " is not an example "
                              "index", gdl_file_path(f), GDL_RC_GROUP, g[i], i);
                return -1;
            }
        d->rc_group = g;
    }
    const gdl_entry_t *ch = gdl_file_find(f, GDL_EXAMPLE_CHROM);
    if (ch) {
        char what[300];
        snprintf(what, sizeof what, "%s: tensor '%s'", gdl_file_path(f), GDL_EXAMPLE_CHROM);
        if (ch->dtype != GDL_U8 || ch->ndim != 1) {
            gdl_log_error("%s is not a U8 string list", what);
            return -1;
        }
        if (!(d->example_chrom = gdl_strings_split(ch->data, ch->nbytes, d->n_examples, what))) return -1;
    }
    if (!list || !*list) return 0;
    if (!(d->inputs_names_ = strdup(list)) ||
        !(d->inputs = calloc(GDL_DATASET_MAX_INPUTS, sizeof *d->inputs))) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (char *save = NULL, *tok = strtok_r(d->inputs_names_, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "genotypes") == 0) continue;
        if (d->n_inputs == GDL_DATASET_MAX_INPUTS) {
            gdl_log_error("%s: more than %d inputs", gdl_file_path(f), GDL_DATASET_MAX_INPUTS);
            return -1;
        }
        gdl_input_t *x = &d->inputs[d->n_inputs++];
        x->name = tok;
        if (open_one(d, x)) return -1;
    }
    return 0;
}

void gdl_dataset_close_inputs(gdl_dataset_t *d)
{
    free(d->inputs);
    free(d->inputs_names_);
    free(d->example_chrom);
    d->example_chrom = NULL;
    d->inputs = NULL;
    d->inputs_names_ = NULL;
    d->n_inputs = 0;
}

const gdl_input_t *gdl_dataset_input(const gdl_dataset_t *d, const char *name)
{
    for (int i = 0; i < d->n_inputs; i++)
        if (strcmp(d->inputs[i].name, name) == 0) return &d->inputs[i];
    return NULL;
}

const char *gdl_input_channel_name(const gdl_input_t *in, int64_t c, char *buf, size_t size)
{
    static const char *const bases[4] = {"A", "C", "G", "T"};
    if (in->format == GDL_INPUT_SEQ8 && in->order == 2 && c >= 0 && c < 16) {
        snprintf(buf, size, "%s%s", bases[c / 4], bases[c % 4]);
        return buf;
    }
    if (in->format == GDL_INPUT_SEQ8) return c >= 0 && c < 4 ? bases[c] : "?";
    const char *p = in->channel_names;
    for (int64_t k = 0; p && k < c; k++)
        if ((p = strchr(p, ','))) p++;
    if (!p) {
        snprintf(buf, size, "c%" PRId64, c);
        return buf;
    }
    size_t n = strcspn(p, ",");
    snprintf(buf, size, "%.*s", (int)n, p);
    return buf;
}

int64_t gdl_input_width(const gdl_input_t *in) { return in->channels * in->length; }
int gdl_input_is_bases(const gdl_input_t *in) { return in->format == GDL_INPUT_SEQ8 && in->order < 2; }

/* Base index 0..3 of A C G T, 4 for N. */
static int base_index(uint8_t b)
{
    switch (b) {
    case 'A': return 0;
    case 'C': return 1;
    case 'G': return 2;
    case 'T': return 3;
    }
    return 4;
}

/* Base index at position l of row s (L bases) read through view v (NULL: as stored). */
static int view_base(const uint8_t *s, int64_t L, const gdl_input_view_t *v, int64_t l)
{
    int64_t from = v ? l - v->shift : l;
    if (from < 0 || from >= L) return 4;
    if (!v || !v->rc) return base_index(s[from]);
    int k = base_index(s[L - 1 - from]);
    return k < 4 ? 3 - k : 4; // the complement: A<->T, C<->G is index 3 - k
}

void gdl_input_batch_views(const gdl_input_t *in, const int64_t *rows, int64_t n,
                           const gdl_input_view_t *views, float *out)
{
    int64_t L = in->length, W = gdl_input_width(in);
    for (int64_t b = 0; b < n; b++) {
        float *o = out + b * W;
        if (in->format == GDL_INPUT_F32) {
            memcpy(o, in->values + rows[b] * W, (size_t)W * sizeof *o);
            continue;
        }
        const uint8_t *s = in->bases + rows[b] * L;
        const gdl_input_view_t *v = views ? &views[b] : NULL;
        memset(o, 0, (size_t)W * sizeof *o);
        if (in->order < 2) {
            for (int64_t l = 0; l < L; l++) {
                int k = view_base(s, L, v, l);
                if (k < 4) o[k * L + l] = 1;
            }
            continue;
        }
        for (int64_t l = 0, next = view_base(s, L, v, 0); l + 1 < L; l++) {
            int k = next;
            next = view_base(s, L, v, l + 1);
            if (k < 4 && next < 4) o[(k * 4 + next) * L + l] = 1;
        }
    }
}

void gdl_input_batch(const gdl_input_t *in, const int64_t *rows, int64_t n, float *out)
{
    gdl_input_batch_views(in, rows, n, NULL, out);
}
