/* gdl encode for genotype cohorts: pick samples and labels, turn every ALT allele that passes
 * the filters into a column of 2-bit codes, and write the dataset of include/gdl/dataset.h.
 * Kept columns wait in the spool (encode_spool.c) until the end, when the number of columns
 * is known and the output can be laid out. Memory: the catalog, one record and the spool's
 * memory part (up to 64 MB); disk: the output plus what the spool holds beyond that. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <htslib/hts.h>

#include "encode_internal.h"
#include "gdl/core.h"

/* A set of IDs: a gdl_idmap_t of its own, freed whole. */
static gdl_idmap_t *set_new(void)
{
    gdl_idmap_t *m = calloc(1, sizeof *m);
    if (!m) gdl_log_error("out of memory");
    return m;
}

static void set_free(gdl_idmap_t *m)
{
    if (!m) return;
    gdl_idmap_free(m);
    free(m);
}

/* ---- samples and labels ------------------------------------------------------------------- */

/* Reads --samples: a file of IDs (first word of each line) if the path exists, else a comma
 * list. */
static gdl_idmap_t *read_sample_list(const char *arg)
{
    gdl_idmap_t *s = set_new();
    if (!s) return NULL;
    FILE *fp = fopen(arg, "r");
    char *line = NULL;
    size_t cap = 0;
    if (fp) {
        while (getline(&line, &cap, fp) > 0) {
            line[strcspn(line, " \t\r\n")] = 0;
            if (*line && gdl_idmap_put(s, line, s->n) < 0) goto fail;
        }
        int err = ferror(fp);
        fclose(fp);
        fp = NULL;
        if (err) {
            gdl_log_error("%s: read error", arg);
            goto fail;
        }
    } else {
        if (!(line = strdup(arg))) goto fail;
        for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ","))
            if (gdl_idmap_put(s, tok, s->n) < 0) goto fail;
    }
    free(line);
    return s;
fail:
    free(line);
    set_free(s);
    return NULL;
}

int gdl_enc_select_samples(enc_t *e, const char *const *names, int64_t n_in)
{
    const gdl_encode_opts_t *o = e->o;
    gdl_idmap_t *seen = set_new(), *wanted = NULL;
    int ret = -1;
    if (!seen) return -1;
    e->n_in = n_in;
    e->st->samples_in_input = n_in;
    if (!(e->row_of = malloc((n_in ? n_in : 1) * sizeof *e->row_of))) goto oom;
    for (int64_t i = 0; i < n_in; i++) {
        int r = gdl_idmap_put(seen, names[i], i);
        if (r < 0) goto out;
        if (r == 1) {
            gdl_log_error("%s: duplicate sample ID '%s'", e->src, names[i]);
            goto out;
        }
    }
    if (o->samples) {
        if (!(wanted = read_sample_list(o->samples))) goto out;
        for (int64_t k = 0; k < wanted->cap; k++)
            if (wanted->keys[k] && gdl_idmap_get(seen, wanted->keys[k]) < 0) {
                gdl_log_error("%s: sample '%s' (from --samples) is not in the input", e->src, wanted->keys[k]);
                goto out;
            }
    }
    int T = e->pheno ? gdl_pheno_targets(e->pheno) : 0;
    float *lab = malloc(((size_t)n_in * T + 1) * sizeof *lab);
    if (!lab) goto oom;
    e->labels = lab;
    e->N = 0;
    for (int64_t i = 0; i < n_in; i++) {
        e->row_of[i] = -1;
        if (wanted && gdl_idmap_get(wanted, names[i]) < 0) continue;
        if (e->pheno) {
            int r = gdl_pheno_get(e->pheno, names[i], lab + e->N * T);
            if (r != 1 && !o->keep_missing) {
                e->st->samples_unlabelled++;
                continue;
            }
        }
        if (gdl_strings_push(&e->ids, names[i])) goto out;
        e->row_of[i] = e->N++;
    }
    if (e->pheno) e->st->pheno_not_in_input = gdl_pheno_unused(e->pheno);
    if (e->N == 0) {
        gdl_log_error("%s: no sample left to encode (%" PRId64 " in the input, %" PRId64
                      " without labels)", e->src, n_in, e->st->samples_unlabelled);
        goto out;
    }
    e->st->samples = e->N;
    if (!(e->codes = malloc(e->N))) goto oom;
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    set_free(seen);
    set_free(wanted);
    return ret;
}

/* ---- columns -------------------------------------------------------------------------------- */

/* cnt[k] = codes equal to k in c[0..n). 16-bit sums over chunks of 65,535 codes, so the
 * vectorised loop adds 16 or 32 codes a step without widening each one to 64 bits. */
GDL_GENOME_HOT static void count_codes(const uint8_t *c, int64_t n, int64_t cnt[4])
{
    int64_t n1 = 0, n2 = 0, n3 = 0;
    for (int64_t i = 0; i < n; i += 65535) {
        int64_t m = n - i < 65535 ? n - i : 65535;
        uint16_t s1 = 0, s2 = 0, s3 = 0;
        for (int64_t j = 0; j < m; j++) {
            uint8_t v = c[i + j];
            s1 += v == 1;
            s2 += v == 2;
            s3 += v == 3;
        }
        n1 += s1, n2 += s2, n3 += s3;
    }
    cnt[0] = n - n1 - n2 - n3, cnt[1] = n1, cnt[2] = n2, cnt[3] = n3;
}

int gdl_enc_emit(enc_t *e, const char *chrom, int64_t pos, const char *id, const char *ref,
             const char *alt, const char *gene, int64_t haploid)
{
    const gdl_encode_opts_t *o = e->o;
    int64_t N = e->N, cnt[4];
    if (e->keep) {
        char key[512];
        snprintf(key, sizeof key, "%s:%" PRId64 ":%s:%s", chrom, pos, ref, alt);
        if ((strcmp(id, ".") == 0 || gdl_idmap_get(e->keep, id) < 0) && gdl_idmap_get(e->keep, key) < 0) {
            e->st->skip_keep++;
            return 0;
        }
    }
    count_codes(e->codes, N, cnt);
    if (o->max_missing < 1 && (double)cnt[3] > o->max_missing * (double)N) {
        e->st->skip_missing++;
        return 0;
    }
    int64_t called = cnt[0] + cnt[1] + cnt[2];
    int64_t ac = cnt[1] + 2 * cnt[2], an = 2 * called - haploid;
    double af = an > 0 ? (double)ac / (double)an : NAN;
    if (o->maf > 0 && !(an > 0 && (af < 0.5 ? af : 1 - af) >= o->maf)) {
        e->st->skip_maf++;
        return 0;
    }
    if (gdl_enc_spool_add(e)) return -1;
    float fr[3] = {0, 0, 0};
    for (int k = 0; k < 3 && called; k++) fr[k] = (float)((double)cnt[k] / (double)called);
    char genebuf[512] = "";
    if (!gene && e->genes) {
        if (gdl_genes_lookup(e->genes, chrom, pos, o->gene_window, genebuf, sizeof genebuf))
            e->st->genes_cut++;
        gene = genebuf;
    }
    if (gdl_catalog_push(&e->cat, chrom, pos, id, ref, alt, gene ? gene : "", (float)af, fr))
        return -1;
    e->st->columns++;
    return 1;
}

/* ---- the output ---------------------------------------------------------------------------- */

static int write_dataset(enc_t *e)
{
    gdl_writer_t *w = gdl_writer_new();
    gdl_dataset_slots_t slots;
    int T = e->pheno ? gdl_pheno_targets(e->pheno) : 0;
    gdl_dataset_spec_t spec = {
        .n_examples = e->N, .ids = &e->ids, .n_targets = T,
        .target_names = e->pheno ? gdl_pheno_names(e->pheno) : NULL,
        .target_kinds = e->pheno ? gdl_pheno_kinds(e->pheno) : NULL,
        .target_classes = e->pheno ? gdl_pheno_classes(e->pheno) : NULL,
        .labels = e->labels, .catalog = &e->cat, .encoding = e->o->encoding};
    if (!w) return -1;
    if (gdl_dataset_declare(w, &spec, &slots) || gdl_writer_open(w, e->o->output) ||
        gdl_dataset_fill(w, &spec, &slots) ||
        (e->cat.n > 0 && gdl_enc_spool_write(e, w, slots.genotypes)) ||
        gdl_writer_commit(w)) {
        gdl_writer_free(w);
        return -1;
    }
    gdl_writer_free(w);
    return 0;
}

static gdl_idmap_t *read_keep(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        gdl_log_error("%s: %s", path, strerror(errno));
        return NULL;
    }
    gdl_idmap_t *s = set_new();
    char *line = NULL;
    size_t cap = 0;
    while (s && getline(&line, &cap, fp) > 0) {
        line[strcspn(line, " \t\r\n")] = 0;
        if (*line && gdl_idmap_put(s, line, s->n) < 0) {
            set_free(s);
            s = NULL;
        }
    }
    free(line);
    fclose(fp);
    return s;
}

int gdl_encode(const gdl_encode_opts_t *o, gdl_encode_stats_t *st)
{
    enc_t e = {.o = o, .st = st};
    int ret = -1;
    memset(st, 0, sizeof *st);
    e.src = o->plink ? o->plink : o->input;
    if (!o->output || strcmp(o->output, "-") == 0) {
        gdl_log_error("encode writes a mapped file: give -o FILE.gdl, not stdout");
        return -1;
    }
    if (o->pheno && !(e.pheno = gdl_pheno_load(o->pheno, o->pheno_cols))) goto out;
    if (o->genes && !(e.genes = gdl_genes_load(o->genes))) goto out;
    if (o->keep && !(e.keep = read_keep(o->keep))) goto out;
    if (gdl_enc_spool_open(&e)) goto out;
    if ((o->plink ? gdl_enc_run_plink(&e) : gdl_enc_run_vcf(&e)) != 0) goto out;
    if (write_dataset(&e)) goto out;
    ret = 0;
out:
    gdl_enc_spool_close(&e);
    gdl_pheno_free(e.pheno);
    gdl_genes_free(e.genes);
    set_free(e.keep);
    gdl_strings_free(&e.ids);
    gdl_catalog_free(&e.cat);
    free(e.row_of);
    free(e.labels);
    free(e.codes);
    return ret;
}
