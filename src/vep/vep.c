/* gdl vep: every ALT allele of a VCF scored by sequence models, reference window against
 * alternate window (gdl/vep.h), in batches; a TSV or an annotated sites-only VCF/BCF out. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/sequence.h"
#include "vep_internal.h"

#define SHOWN_MISMATCHES 5
#define MAX_PENDING 4096 // records held for one batch

/* A record read and not yet written: its strings, and the batch slot of each ALT (-1 = not scored). */
typedef struct {
    char *chrom, *id, *ref, **alts;
    int64_t pos;
    int n_alt, mismatch;
    int64_t *slot;
} pending_t;

typedef struct {
    const gdl_vep_opts_t *o;
    gdl_sites_t *sites;
    gdl_ref_t *ref;
    vep_scorer_t sc;
    gdl_outfile_t tsv, win;
    int tsv_open, win_open;
    pending_t *pend;
    int n_pend, cap_pend;
    int64_t n_jobs;            // alleles in the batch
    char *span;                // reference bases of one allele's windows
    int64_t span_cap;
    char *contig, *resolved;   // the last contig and its name in the reference (chr alias)
    float *values;             // (K, n_alt) one record's diffs (VCF), (K) one allele's (TSV)
    int values_alt;            // ALTs values has room for
    int *order;                // (K) outputs in the order written
    int64_t n_records, n_scored, n_symbolic, n_mismatch;
} vep_t;

void gdl_vep_alt_window(const char *ref_span, int64_t L, int64_t lr, const char *alt, int64_t la, char *out)
{
    int64_t left = L / 2, k = left;
    memcpy(out, ref_span, (size_t)left);
    for (int64_t i = 0; i < la && k < L; i++) out[k++] = alt[i];
    for (int64_t i = left + lr; k < L; i++) out[k++] = ref_span[i];
}

/* An ALT that is no sequence: symbolic <...>, breakends, '*' (a deletion upstream), '.'. */
static int symbolic(const char *a)
{
    size_t n = strlen(a);
    return !n || a[0] == '<' || strchr(a, '[') || strchr(a, ']') || !strcmp(a, "*") || a[0] == '.' || a[n - 1] == '.';
}

/* The reference's name of contig (with --chr-alias, "chr" added or removed), or NULL with an error. */
static const char *resolve_contig(vep_t *v, const gdl_site_t *s)
{
    if (v->contig && !strcmp(v->contig, s->chrom)) return v->resolved;
    free(v->contig), free(v->resolved);
    v->contig = strdup(s->chrom), v->resolved = NULL;
    char alias[512];
    if (!strncmp(s->chrom, "chr", 3)) snprintf(alias, sizeof alias, "%s", s->chrom + 3);
    else snprintf(alias, sizeof alias, "chr%s", s->chrom);
    const char *name = gdl_ref_length(v->ref, s->chrom) >= 0 ? s->chrom
                       : v->o->chr_alias && gdl_ref_length(v->ref, alias) >= 0 ? alias : NULL;
    if (!name) {
        gdl_log_error("%s: record %" PRId64 " (%s:%" PRId64 "): contig '%s' is not in %s%s", v->o->input, s->record,
                      s->chrom, s->pos, s->chrom, v->o->ref, v->o->chr_alias ? " (with or without 'chr')" : " (--chr-alias tries it with or without 'chr')");
        return NULL;
    }
    if (!v->contig || !(v->resolved = strdup(name))) {
        gdl_log_error("out of memory");
        return NULL;
    }
    return v->resolved;
}

static int grow_span(vep_t *v, int64_t n)
{
    if (n <= v->span_cap) return 0;
    char *p = realloc(v->span, (size_t)n);
    if (!p) return -1;
    v->span = p, v->span_cap = n;
    return 0;
}

/* Whether REF matches the reference at the window's centre (case-insensitive: both normalized). */
static int ref_matches(const char *span, int64_t left, const char *ref)
{
    for (int64_t i = 0; ref[i]; i++)
        if (gdl_base_normalize((unsigned char)ref[i]) != span[left + i]) return 0;
    return 1;
}

static int window_fasta(vep_t *v, const pending_t *p, int a, const char *ref_win, const char *alt_win)
{
    if (!v->win_open) return 0;
    FILE *fp = v->win.fp;
    int64_t L = v->sc.L;
    fprintf(fp, ">%s:%" PRId64 ":%s:%s:ref\n%.*s\n", p->chrom, p->pos, p->ref, p->alts[a], (int)L, ref_win);
    fprintf(fp, ">%s:%" PRId64 ":%s:%s:alt\n%.*s\n", p->chrom, p->pos, p->ref, p->alts[a], (int)L, alt_win);
    return ferror(fp) ? -1 : 0;
}

/* The reference around record p into v->span, as much as its longest window needs, and REF
 * checked against it: 0 to score the ALTs, 1 to skip them (only symbolic ALTs, or a REF
 * mismatch under --ref-mismatch skip), -1 with an error. */
static int fetch_record(vep_t *v, pending_t *p, const char *contig, const gdl_site_t *s)
{
    int64_t L = v->sc.L, left = L / 2, lr = (int64_t)strlen(p->ref), min_la = -1;
    for (int a = 0; a < p->n_alt; a++) {
        int64_t la = (int64_t)strlen(p->alts[a]);
        if (!symbolic(p->alts[a]) && (min_la < 0 || la < min_la)) min_la = la;
    }
    if (min_la < 0) return 1;
    int64_t need = left + lr + (L - left - min_la > 0 ? L - left - min_la : 0);
    if (need < L) need = L;
    if (grow_span(v, need) != 0) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (gdl_ref_fetch(v->ref, contig, p->pos - 1 - left, p->pos - 1 - left + need, v->span) != 0) return -1;
    if (ref_matches(v->span, left, p->ref)) return 0;
    p->mismatch = 1;
    int shown = (int)(lr < 50 ? lr : 50);
    if (v->o->mismatch == GDL_VEP_MISMATCH_FAIL) {
        gdl_log_error("%s: record %" PRId64 " (%s:%" PRId64 "): REF %s, %s has %.*s (--ref-mismatch fail)", v->o->input,
                      s->record, p->chrom, p->pos, p->ref, v->o->ref, shown, v->span + left);
        return -1;
    }
    if (++v->n_mismatch <= SHOWN_MISMATCHES)
        gdl_log_warn("%s: record %" PRId64 " (%s:%" PRId64 "): REF %s, the reference has %.*s%s", v->o->input,
                     s->record, p->chrom, p->pos, p->ref, shown, v->span + left,
                     v->o->mismatch == GDL_VEP_MISMATCH_SCORE ? " (scored)" : "");
    return v->o->mismatch == GDL_VEP_MISMATCH_SKIP;
}

/* Builds the windows of ALT a of record p (its reference in v->span) into batch slot v->n_jobs. */
static int add_allele(vep_t *v, pending_t *p, int a)
{
    int64_t L = v->sc.L, left = L / 2, lr = (int64_t)strlen(p->ref), la = (int64_t)strlen(p->alts[a]);
    if (la > L - left) la = L - left; // the window holds no more of a long insertion
    char alt[L - left + 1];
    for (int64_t i = 0; i < la; i++) {
        char b = gdl_base_normalize((unsigned char)p->alts[a][i]);
        alt[i] = b ? b : 'N';
    }
    char *ref_win = (char *)v->sc.bases + 2 * v->n_jobs * L, *alt_win = ref_win + L;
    memcpy(ref_win, v->span, (size_t)L);
    gdl_vep_alt_window(v->span, L, lr, alt, la, alt_win);
    if (window_fasta(v, p, a, ref_win, alt_win) != 0) {
        gdl_log_error("%s: write failed", v->o->windows);
        return -1;
    }
    p->slot[a] = v->n_jobs++;
    v->n_scored++;
    return 0;
}

static void pending_free(pending_t *p)
{
    for (int a = 0; a < p->n_alt; a++) free(p->alts[a]);
    free(p->chrom), free(p->id), free(p->ref), free(p->alts), free(p->slot);
    memset(p, 0, sizeof *p);
}

static pending_t *push_pending(vep_t *v, const gdl_site_t *s)
{
    if (v->n_pend == v->cap_pend) {
        int cap = v->cap_pend ? 2 * v->cap_pend : 64;
        pending_t *q = realloc(v->pend, (size_t)cap * sizeof *q);
        if (!q) return NULL;
        v->pend = q, v->cap_pend = cap;
    }
    pending_t *p = &v->pend[v->n_pend++];
    memset(p, 0, sizeof *p);
    p->n_alt = s->n_alleles - 1;
    p->pos = s->pos;
    if (!(p->chrom = strdup(s->chrom)) || !(p->id = strdup(s->id)) || !(p->ref = strdup(s->alleles[0])) ||
        !(p->alts = calloc((size_t)(p->n_alt ? p->n_alt : 1), sizeof *p->alts)) ||
        !(p->slot = malloc((size_t)(p->n_alt ? p->n_alt : 1) * sizeof *p->slot)))
        return NULL;
    for (int a = 0; a < p->n_alt; a++) {
        p->slot[a] = -1;
        if (!(p->alts[a] = strdup(s->alleles[a + 1]))) return NULL;
    }
    return p;
}

static double logit(double p)
{
    p = p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p;
    return log(p / (1 - p));
}

/* order (n of K) = the outputs by |diff| descending, ties by index: a selection, n is small. */
static void top_outputs(const float *diff, int K, int n, int *order)
{
    for (int k = 0; k < K; k++) order[k] = k;
    for (int i = 0; i < n; i++) {
        int best = i;
        for (int j = i + 1; j < K; j++)
            if (fabsf(diff[order[j]]) > fabsf(diff[order[best]])) best = j;
        int t = order[i];
        order[i] = order[best], order[best] = t;
    }
}

/* The TSV rows of ALT a of record p: every output, or the top K by |diff|. */
static void tsv_rows(vep_t *v, const pending_t *p, int a)
{
    const vep_scorer_t *sc = &v->sc;
    const float *r = sc->scores + 2 * p->slot[a] * sc->K, *t = r + sc->K;
    float *diff = v->values;
    for (int k = 0; k < sc->K; k++) diff[k] = t[k] - r[k];
    int n = v->o->top > 0 && v->o->top < sc->K ? v->o->top : sc->K;
    if (n < sc->K) top_outputs(diff, sc->K, n, v->order);
    else
        for (int k = 0; k < sc->K; k++) v->order[k] = k;
    for (int i = 0; i < n; i++) {
        int k = v->order[i];
        fprintf(v->tsv.fp, "%s\t%" PRId64 "\t%s\t%s\t%s\t%s\t%.6g\t%.6g\t%.6g\t", p->chrom, p->pos, p->id, p->ref,
                p->alts[a], sc->names[k], r[k], t[k], diff[k]);
        if (sc->probabilities) fprintf(v->tsv.fp, "%.6g\n", logit(t[k]) - logit(r[k]));
        else fputs("NA\n", v->tsv.fp);
    }
}

/* The wide TSV row of ALT a of record p: one score per output. */
static void tsv_wide_row(vep_t *v, const pending_t *p, int a)
{
    const vep_scorer_t *sc = &v->sc;
    const float *r = sc->scores + 2 * p->slot[a] * sc->K, *t = r + sc->K;
    fprintf(v->tsv.fp, "%s\t%" PRId64 "\t%s\t%s\t%s", p->chrom, p->pos, p->id, p->ref, p->alts[a]);
    for (int k = 0; k < sc->K; k++) {
        switch (v->o->layout) {
        case GDL_VEP_WIDE_REF: fprintf(v->tsv.fp, "\t%.6g", r[k]); break;
        case GDL_VEP_WIDE_ALT: fprintf(v->tsv.fp, "\t%.6g", t[k]); break;
        case GDL_VEP_WIDE_LOGFC:
            if (sc->probabilities) fprintf(v->tsv.fp, "\t%.6g", logit(t[k]) - logit(r[k]));
            else fputs("\tNA", v->tsv.fp);
            break;
        default: fprintf(v->tsv.fp, "\t%.6g", t[k] - r[k]);
        }
    }
    fputc('\n', v->tsv.fp);
}

/* Scores the batch and writes every pending record. */
static int flush(vep_t *v)
{
    if (v->n_jobs && gdl_vep_scorer_run(&v->sc, v->n_jobs) != 0) return -1;
    const vep_scorer_t *sc = &v->sc;
    for (int i = 0; i < v->n_pend; i++) {
        pending_t *p = &v->pend[i];
        if (v->tsv_open) {
            for (int a = 0; a < p->n_alt; a++)
                if (p->slot[a] < 0) continue;
                else if (v->o->layout == GDL_VEP_LONG) tsv_rows(v, p, a);
                else tsv_wide_row(v, p, a);
            if (ferror(v->tsv.fp)) {
                gdl_log_error("%s: write failed", v->o->out);
                return -1;
            }
        } else {
            for (int k = 0; k < sc->K; k++)
                for (int a = 0; a < p->n_alt; a++) {
                    const float *r = p->slot[a] < 0 ? NULL : sc->scores + 2 * p->slot[a] * sc->K;
                    v->values[k * p->n_alt + a] = r ? r[sc->K + k] - r[k] : NAN;
                }
            if (gdl_sites_write(v->sites, v->values, p->mismatch > 0) != 0) return -1;
        }
        pending_free(p);
    }
    v->n_pend = 0;
    v->n_jobs = 0;
    return 0;
}

static int process(vep_t *v, const gdl_site_t *s)
{
    v->n_records++;
    int n_alt = s->n_alleles - 1;
    // a batch holds --batch alleles, or the ALTs of one record that has more (in several passes);
    // records with nothing to score (symbolic, REF mismatches) are written in bounded runs
    if (((v->n_jobs && v->n_jobs + n_alt > v->sc.B) || v->n_pend >= MAX_PENDING) && flush(v) != 0) return -1;
    if (gdl_vep_scorer_reserve(&v->sc, n_alt) != 0) return -1;
    if (n_alt > v->values_alt) {
        float *p = realloc(v->values, (size_t)(v->sc.K * n_alt) * sizeof *p);
        if (!p) goto oom;
        v->values = p, v->values_alt = n_alt;
    }
    const char *contig = resolve_contig(v, s);
    pending_t *p = contig ? push_pending(v, s) : NULL;
    if (!contig) return -1;
    if (!p) goto oom;
    int skip = fetch_record(v, p, contig, s);
    if (skip < 0) return -1;
    for (int a = 0; a < n_alt; a++)
        if (symbolic(p->alts[a])) v->n_symbolic++;
        else if (!skip && add_allele(v, p, a) != 0) return -1;
    return 0;
oom:
    gdl_log_error("out of memory");
    return -1;
}

static int open_outputs(vep_t *v)
{
    const gdl_vep_opts_t *o = v->o;
    if (!(v->order = malloc((size_t)v->sc.K * sizeof *v->order))) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (o->windows) {
        if (gdl_outfile_open(&v->win, o->windows) != 0) return -1;
        v->win_open = 1;
    }
    if (o->format == 't') {
        if (gdl_outfile_open(&v->tsv, o->out) != 0) return -1;
        v->tsv_open = 1;
        if (o->layout == GDL_VEP_LONG) {
            fputs("chrom\tpos\tid\tref\talt\ttarget\tref_score\talt_score\tdiff\tlogfc\n", v->tsv.fp);
            return 0;
        }
        fputs("chrom\tpos\tid\tref\talt", v->tsv.fp);
        for (int k = 0; k < v->sc.K; k++) fprintf(v->tsv.fp, "\t%s", v->sc.names[k]);
        fputc('\n', v->tsv.fp);
        return 0;
    }
    const vep_scorer_t *sc = &v->sc;
    char **keys = calloc((size_t)sc->K, sizeof *keys), **desc = calloc((size_t)sc->K, sizeof *desc);
    int ret = -1;
    for (int k = 0; keys && desc && k < sc->K; k++) {
        char key[256], d[768];
        int n = snprintf(key, sizeof key, "GDL_%s", sc->names[k]);
        for (int i = 4; i < n && key[i]; i++)
            if (!((key[i] >= 'A' && key[i] <= 'Z') || (key[i] >= 'a' && key[i] <= 'z') ||
                  (key[i] >= '0' && key[i] <= '9') || key[i] == '_' || key[i] == '.'))
                key[i] = '_';
        for (int j = 0; j < k; j++)
            if (!strcmp(keys[j], key)) snprintf(key + strlen(key), sizeof key - strlen(key), "_%d", k);
        snprintf(d, sizeof d, "gdl vep: alt - ref score of %s per ALT allele (%s)", sc->names[k], o->model_paths[0]);
        for (char *q = d; *q; q++)
            if (*q == '"') *q = '\'';
        if (!(keys[k] = strdup(key)) || !(desc[k] = strdup(d))) break;
        if (k == sc->K - 1) ret = 0;
    }
    if (ret == 0)
        ret = gdl_sites_out_open(v->sites, o->out, o->format, (const char *const *)keys, (const char *const *)desc,
                                 sc->K, "GDL_REF_MISMATCH", "gdl vep: REF differs from the reference genome",
                                 o->write_index);
    else
        gdl_log_error("out of memory");
    for (int k = 0; k < sc->K; k++) free(keys ? keys[k] : NULL), free(desc ? desc[k] : NULL);
    free(keys), free(desc);
    return ret;
}

static int commit_outputs(vep_t *v)
{
    if (v->win_open && gdl_outfile_commit(&v->win) != 0) return -1;
    v->win_open = 0;
    if (v->tsv_open) {
        v->tsv_open = 0;
        return gdl_outfile_commit(&v->tsv);
    }
    return gdl_sites_commit(v->sites);
}

int gdl_vep(const gdl_vep_opts_t *o)
{
    vep_t v = {.o = o};
    gdl_site_t s;
    int ret = -1, r;
    if (gdl_vep_scorer_open(&v.sc, o->model_paths, o->n_models, o->batch > 0 ? o->batch : 128, o->rc) != 0) goto out;
    if (!(v.ref = gdl_ref_open(o->ref)) || !(v.sites = gdl_sites_open(o->input, o->regions, o->keep_samples)) || open_outputs(&v) != 0)
        goto out;
    gdl_progress_t bar;
    int64_t done, total;
    gdl_sites_progress(v.sites, &done, &total);
    gdl_progress_begin(&bar, o->regions ? "vep (regions)" : "vep (bytes read)", total);
    if (!total) gdl_progress_end(&bar); // stdin: no bar
    gdl_progress_update(&bar, 0, NULL);
    while ((r = gdl_sites_next(v.sites, &s)) == 1) {
        if (process(&v, &s) != 0) {
            r = -1;
            break;
        }
        if (bar.on && v.n_records % 256 == 0) {
            char extra[64];
            snprintf(extra, sizeof extra, "%" PRId64 " records", v.n_records);
            gdl_sites_progress(v.sites, &done, &total);
            gdl_progress_update(&bar, done, extra);
        }
    }
    gdl_progress_end(&bar);
    if (r < 0 || flush(&v) != 0 || commit_outputs(&v) != 0) goto out;
    // skipped alleles are never silent: the counts at warning level when there are any
    gdl_log_msg(v.n_symbolic || v.n_mismatch ? GDL_LOG_WARN : GDL_LOG_INFO, __func__, "[vep] %" PRId64 " records: %" PRId64 " ALT alleles scored, %" PRId64
                 " symbolic or breakend ALTs skipped, %" PRId64 " records with a REF unlike the reference %s",
                 v.n_records, v.n_scored, v.n_symbolic, v.n_mismatch,
                 o->mismatch == GDL_VEP_MISMATCH_SCORE ? "(scored)" : "(skipped)");
    ret = 0;
out:
    if (v.tsv_open) gdl_outfile_abort(&v.tsv);
    if (v.win_open) gdl_outfile_abort(&v.win);
    for (int i = 0; i < v.n_pend; i++) pending_free(&v.pend[i]);
    free(v.pend), free(v.span), free(v.contig), free(v.resolved), free(v.values), free(v.order);
    gdl_sites_close(v.sites);
    gdl_ref_close(v.ref);
    gdl_vep_scorer_close(&v.sc);
    return ret;
}
