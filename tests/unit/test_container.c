/* The .gdl container: exact round trip, layout and alignment, atomic writes, foreign files.
 * With "--write PATH" it writes the fixture that tests/cli/container.sh reads with NumPy. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/data.h"
#include "test.h"

static char dir[] = "/tmp/gdl-container-XXXXXX";

static const char *tmp_file(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* The fixture: one tensor of most dtypes with values derived from the index, odd sizes so
 * that alignment depends on the writer's ordering, and metadata. */
static int write_fixture(const char *path)
{
    gdl_writer_t *w = gdl_writer_new();
    int64_t s_f32[3] = {2, 3, 5}, s_u8[1] = {7}, s_i64[2] = {3, 1}, s_f64[1] = {3}, s_i32[1] = {1},
            s_empty[2] = {0, 4}, s_u16[1] = {3};
    int i_f32 = gdl_writer_add(w, "weights", GDL_F32, 3, s_f32);
    int i_u8 = gdl_writer_add(w, "codes", GDL_U8, 1, s_u8);
    int i_i64 = gdl_writer_add(w, "positions", GDL_I64, 2, s_i64);
    int i_f64 = gdl_writer_add(w, "af", GDL_F64, 1, s_f64);
    int i_i32 = gdl_writer_add(w, "count", GDL_I32, 1, s_i32);
    int i_u16 = gdl_writer_add(w, "small", GDL_U16, 1, s_u16);
    int i_empty = gdl_writer_add(w, "empty", GDL_F32, 2, s_empty);
    int i_scalar = gdl_writer_add(w, "scalar", GDL_F32, 0, NULL);
    if (i_scalar < 0 || i_empty < 0 || gdl_writer_set_meta(w, "gdl.kind", "test") ||
        gdl_writer_set_meta(w, "note", "tab\there, \"quoted\", ünïcode") ||
        gdl_writer_set_meta(w, "gdl.kind", "fixture") || gdl_writer_open(w, path) != 0) {
        gdl_writer_free(w);
        return -1;
    }
    float *f = gdl_writer_data(w, i_f32);
    for (int i = 0; i < 30; i++) f[i] = i * 0.5f - 3.0f;
    unsigned char *u = gdl_writer_data(w, i_u8);
    for (int i = 0; i < 7; i++) u[i] = (unsigned char)(i * 37);
    int64_t *p = gdl_writer_data(w, i_i64);
    p[0] = -1, p[1] = 1LL << 40, p[2] = 123456789;
    double *d = gdl_writer_data(w, i_f64);
    d[0] = 0.1, d[1] = 1e-300, d[2] = -2.5;
    *(int32_t *)gdl_writer_data(w, i_i32) = -42;
    uint16_t *s = gdl_writer_data(w, i_u16);
    s[0] = 1, s[1] = 65535, s[2] = 300;
    *(float *)gdl_writer_data(w, i_scalar) = 3.25f;
    int ret = gdl_writer_commit(w);
    gdl_writer_free(w);
    return ret;
}

static void test_round_trip_exact(void)
{
    const char *path = tmp_file("fixture.gdl");
    CHECK(write_fixture(path) == 0);
    gdl_file_t *f = gdl_file_open(path);
    CHECK(f != NULL);
    if (!f) return;
    CHECK(gdl_file_count(f) == 8);
    CHECK(strcmp(gdl_file_meta(f, "gdl.kind"), "fixture") == 0); // replaced, not repeated
    CHECK(strcmp(gdl_file_meta(f, "note"), "tab\there, \"quoted\", ünïcode") == 0);
    CHECK(gdl_file_meta(f, "absent") == NULL);
    const gdl_entry_t *e = gdl_file_find(f, "weights");
    CHECK(e && e->dtype == GDL_F32 && e->ndim == 3 && e->shape[2] == 5 && e->numel == 30);
    for (int i = 0; e && i < 30; i++) CHECK(((const float *)e->data)[i] == i * 0.5f - 3.0f);
    e = gdl_file_find(f, "codes");
    for (int i = 0; e && i < 7; i++) CHECK(((const unsigned char *)e->data)[i] == (unsigned char)(i * 37));
    e = gdl_file_find(f, "positions");
    CHECK(e && ((const int64_t *)e->data)[1] == 1LL << 40 && ((const int64_t *)e->data)[0] == -1);
    e = gdl_file_find(f, "af");
    CHECK(e && ((const double *)e->data)[1] == 1e-300);
    e = gdl_file_find(f, "count");
    CHECK(e && *(const int32_t *)e->data == -42);
    e = gdl_file_find(f, "small");
    CHECK(e && ((const uint16_t *)e->data)[1] == 65535);
    e = gdl_file_find(f, "empty");
    CHECK(e && e->numel == 0 && e->nbytes == 0 && e->shape[0] == 0);
    e = gdl_file_find(f, "scalar");
    CHECK(e && e->ndim == 0 && e->numel == 1 && *(const float *)e->data == 3.25f);
    // data is mapped in place and aligned: widest elements first, header padded to 8
    for (int i = 0; i < gdl_file_count(f); i++) {
        e = gdl_file_entry(f, i);
        CHECK((uintptr_t)e->data % gdl_dtype_size(e->dtype) == 0);
        if (i > 0) CHECK(gdl_dtype_size(e->dtype) <= gdl_dtype_size(gdl_file_entry(f, i - 1)->dtype));
    }
    CHECK(strlen(gdl_file_header(f)) % 8 == 0);
    gdl_file_close(f);
}

static void test_writer_without_commit_leaves_nothing(void)
{
    const char *path = tmp_file("aborted.gdl");
    struct stat st;
    gdl_writer_t *w = gdl_writer_new();
    int64_t shape[1] = {1000};
    CHECK(gdl_writer_add(w, "x", GDL_F32, 1, shape) == 0);
    CHECK(gdl_writer_open(w, path) == 0);
    char *tmp = gdl_tmp_path(path);
    CHECK(stat(tmp, &st) == 0);  // being written under the temporary name
    CHECK(stat(path, &st) != 0);
    gdl_writer_free(w);
    CHECK(stat(tmp, &st) != 0);
    CHECK(stat(path, &st) != 0);
    free(tmp);
}

static void test_writer_rejects_bad_tensors(void)
{
    gdl_writer_t *w = gdl_writer_new();
    int64_t shape[1] = {3}, neg[1] = {-3};
    CHECK(gdl_writer_add(w, "a", GDL_F32, 1, shape) == 0);
    CHECK(gdl_writer_add(w, "a", GDL_U8, 1, shape) == -1);
    CHECK(strstr(gdl_last_error(), "twice") != NULL);
    CHECK(gdl_writer_add(w, "", GDL_U8, 1, shape) == -1);
    CHECK(gdl_writer_add(w, "__metadata__", GDL_U8, 1, shape) == -1);
    CHECK(gdl_writer_add(w, "b", GDL_U8, 1, neg) == -1);
    CHECK(gdl_writer_data(w, 0) == NULL); // not open yet
    CHECK(gdl_writer_open(w, tmp_file("no/such/dir/x.gdl")) == -1);
    gdl_writer_free(w);
}

/* A file from another writer may put an F32 at an odd offset; reading it must still give
 * aligned floats with the right values. */
static void test_reads_misaligned_foreign_file(void)
{
    const char *json = "{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";
    const char *path = tmp_file("foreign.gdl");
    uint64_t n = strlen(json);
    float v[2] = {1.5f, -7.0f};
    FILE *fp = fopen(path, "wb");
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n >> (8 * i));
    fwrite(len, 1, 8, fp);
    fwrite(json, 1, n, fp);
    fputc(9, fp);
    fwrite(v, sizeof(float), 2, fp);
    fclose(fp);
    gdl_file_t *f = gdl_file_open(path);
    CHECK(f != NULL);
    if (!f) return;
    const gdl_entry_t *a = gdl_file_find(f, "a"), *b = gdl_file_find(f, "b");
    CHECK(a && b && *(const unsigned char *)b->data == 9);
    CHECK(a && (uintptr_t)a->data % 4 == 0);
    CHECK(a && ((const float *)a->data)[0] == 1.5f && ((const float *)a->data)[1] == -7.0f);
    CHECK(gdl_file_entry(f, 0) == b); // entries come in offset order
    gdl_file_close(f);
}

/* gdl_writer_write and gdl_writer_write_at (no mapping) and gdl_writer_data (mapped) fill one
 * file together. */
static void test_writer_write_without_map(void)
{
    const char *path = tmp_file("pwrite.gdl");
    gdl_writer_t *w = gdl_writer_new();
    int64_t s1[1] = {1000}, s2[1] = {5};
    int a = gdl_writer_add(w, "big", GDL_F32, 1, s1), b = gdl_writer_add(w, "small", GDL_U8, 1, s2);
    float v[1000];
    for (int i = 0; i < 1000; i++) v[i] = (float)i / 7;
    CHECK(gdl_writer_write(w, a, v, sizeof v) == -1); // not open yet
    CHECK(gdl_writer_open(w, path) == 0);
    CHECK(gdl_writer_write(w, a, v, sizeof v - 4) == -1); // wrong size
    CHECK(gdl_writer_write(w, a, v, sizeof v) == 0);
    CHECK(gdl_writer_write_at(w, b, 3, "lo", 3) == -1); // past the end
    CHECK(gdl_writer_write_at(w, b, 6, "", 0) == -1);
    CHECK(gdl_writer_write_at(w, b, 2, "llo", 3) == 0);  // in parts, one mapped
    CHECK(gdl_writer_write_at(w, b, 5, "", 0) == 0);
    memcpy(gdl_writer_data(w, b), "he", 2);
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);
    gdl_file_t *f = gdl_file_open(path);
    CHECK(f != NULL);
    if (!f) return;
    const gdl_entry_t *e = gdl_file_find(f, "big"), *t = gdl_file_find(f, "small");
    CHECK(e && memcmp(e->data, v, sizeof v) == 0);
    CHECK(t && memcmp(t->data, "hello", 5) == 0);
    gdl_file_close(f);
    unlink(path);
}

static void test_dtype_table(void)
{
    CHECK(gdl_dtype_from_name("F32") == GDL_F32 && gdl_dtype_size(GDL_F32) == 4);
    CHECK(gdl_dtype_from_name("BF16") == GDL_BF16 && gdl_dtype_size(GDL_BF16) == 2);
    CHECK(gdl_dtype_from_name("f32") == -1 && gdl_dtype_from_name("Q4") == -1);
    for (int t = 0; t < GDL_DTYPE_COUNT; t++) CHECK(gdl_dtype_from_name(gdl_dtype_name(t)) == t);
}

int main(int argc, char *argv[])
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) return write_fixture(argv[2]) == 0 ? 0 : 1;
    if (!mkdtemp(dir)) return 1;
    RUN(test_round_trip_exact);
    RUN(test_writer_without_commit_leaves_nothing);
    RUN(test_writer_rejects_bad_tensors);
    RUN(test_reads_misaligned_foreign_file);
    RUN(test_writer_write_without_map);
    RUN(test_dtype_table);
    unlink(tmp_file("fixture.gdl"));
    unlink(tmp_file("foreign.gdl"));
    rmdir(dir);
    return TEST_EXIT();
}
