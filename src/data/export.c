/* gdl export --npy: a dataset's tensors as NumPy .npy files (format 1.0) and TSVs. N examples,
 * T targets, M variants, C channels, L length. Arrays are written little-endian, as gdl stores. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

/* Opens DIR/name and writes the .npy header; 0 or -1. */
static int npy_open(gdl_outfile_t *o, const char *dir, const char *name, const char *descr,
                    int ndim, const int64_t *shape)
{
    char *path = gdl_str_join(dir, "/", name);
    int rc = path && gdl_outfile_open(o, path) == 0 ? 0 : -1;
    free(path);
    if (rc == 0 && gdl_npy_write_header(o->fp, descr, ndim, shape)) {
        gdl_log_write_error(o->path);
        gdl_outfile_abort(o);
        rc = -1;
    }
    return rc;
}

static int put(gdl_outfile_t *o, const void *p, size_t n)
{
    if (fwrite(p, 1, n, o->fp) == n) return 0;
    gdl_log_error("%s: write failed: %s", o->path, strerror(errno));
    return -1;
}

static int write_tsvs(const gdl_dataset_t *d, const char *dir)
{
    gdl_outfile_t o = {0};
    char *path = gdl_str_join(dir, "/", "ids.tsv");
    if (!path || gdl_outfile_open(&o, path)) goto fail;
    fprintf(o.fp, "id\n");
    for (int64_t i = 0; i < d->n_examples; i++) fprintf(o.fp, "%s\n", d->ids[i]);
    if (gdl_outfile_commit(&o)) goto fail;
    free(path);
    if (!(path = gdl_str_join(dir, "/", "targets.tsv")) || gdl_outfile_open(&o, path)) goto fail;
    fprintf(o.fp, "target\tkind\tclasses\n");
    for (int t = 0; t < d->n_targets; t++) {
        const gdl_target_t *g = &d->targets[t];
        fprintf(o.fp, "%s\t%s\t", g->name, gdl_target_kind_name(g->kind));
        for (int c = 0; c < g->n_classes; c++) fprintf(o.fp, c ? ",%s" : "%s", g->classes[c]);
        fprintf(o.fp, "\n");
    }
    if (gdl_outfile_commit(&o)) goto fail;
    free(path);
    return 0;
fail:
    gdl_outfile_abort(&o);
    free(path);
    return -1;
}

static int write_genotypes(const gdl_genotypes_t *g, int64_t N, const char *dir)
{
    gdl_outfile_t o;
    int64_t shape[2] = {N, g->n_variants};
    uint8_t *row = malloc((size_t)(g->n_variants ? g->n_variants : 1));
    if (!row) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (npy_open(&o, dir, "input_genotypes.npy", "|u1", 2, shape)) {
        free(row);
        return -1;
    }
    for (int64_t i = 0; i < N; i++) {
        const uint8_t *packed = g->packed + i * g->row_bytes;
        for (int64_t j = 0; j < g->n_variants; j++) {
            int c = gdl_geno_code(packed, j);
            row[j] = c == 3 ? 255 : (uint8_t)c;
        }
        if (put(&o, row, (size_t)g->n_variants)) goto fail;
    }
    free(row);
    return gdl_outfile_commit(&o);
fail:
    free(row);
    gdl_outfile_abort(&o);
    return -1;
}

static int write_input(const gdl_input_t *in, int64_t N, const char *dir)
{
    gdl_outfile_t o;
    char name[300];
    int64_t shape[3] = {N, in->channels, in->length}, W = gdl_input_width(in);
    if (strchr(in->name, '/') || strlen(in->name) > 200) {
        gdl_log_error("input name '%s' cannot be a file name", in->name);
        return -1;
    }
    snprintf(name, sizeof name, "input_%s.npy", in->name);
    float *row = malloc((size_t)W * sizeof *row);
    if (!row) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (npy_open(&o, dir, name, "<f4", 3, shape)) {
        free(row);
        return -1;
    }
    for (int64_t i = 0; i < N; i++) {
        gdl_input_batch(in, &i, 1, row);
        if (put(&o, row, (size_t)W * sizeof *row)) {
            free(row);
            gdl_outfile_abort(&o);
            return -1;
        }
    }
    free(row);
    return gdl_outfile_commit(&o);
}

static int write_array(const char *dir, const char *name, const char *descr, int ndim,
                       const int64_t *shape, const void *data, size_t bytes)
{
    gdl_outfile_t o;
    if (npy_open(&o, dir, name, descr, ndim, shape)) return -1;
    if (put(&o, data, bytes)) {
        gdl_outfile_abort(&o);
        return -1;
    }
    return gdl_outfile_commit(&o);
}

int gdl_dataset_export_npy(const char *path, const char *dir)
{
    gdl_dataset_t *d = gdl_dataset_open(path);
    int rc = -1;
    if (!d) return -1;
    struct stat st;
    if (mkdir(dir, 0777) != 0 && (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        gdl_log_error("%s: cannot create the directory: %s", dir, strerror(errno));
        goto done;
    }
    int64_t N = d->n_examples, T = d->n_targets;
    if (write_tsvs(d, dir)) goto done;
    if (T > 0) {
        int64_t shape[2] = {N, T};
        if (write_array(dir, "labels.npy", "<f4", 2, shape, d->labels, (size_t)(N * T) * sizeof(float)))
            goto done;
    }
    if (d->rc_group) {
        int64_t shape[1] = {N};
        if (write_array(dir, "rc_group.npy", "<i8", 1, shape, d->rc_group, (size_t)N * sizeof(int64_t)))
            goto done;
    }
    if (d->geno && write_genotypes(d->geno, N, dir)) goto done;
    for (int k = 0; k < d->n_inputs; k++)
        if (write_input(&d->inputs[k], N, dir)) goto done;
    rc = 0;
done:
    gdl_dataset_close(d);
    return rc;
}
