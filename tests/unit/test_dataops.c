/* Label tables (kind inference), the ID map, .npy headers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/dataops.h"
#include "test.h"

static void test_idmap(void)
{
    gdl_idmap_t m = {0};
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "id%d", i);
        CHECK(gdl_idmap_put(&m, key, i) == 0);
    }
    CHECK(gdl_idmap_put(&m, "id17", 99) == 1 && gdl_idmap_get(&m, "id17") == 17);
    CHECK(gdl_idmap_get(&m, "id4999") == 4999 && gdl_idmap_get(&m, "id5000") == -1);
    CHECK(m.n == 5000);
    gdl_idmap_free(&m);
    CHECK(gdl_idmap_get(&m, "id1") == -1);
}

static void test_labels_kinds(void)
{
    char path[] = "/tmp/gdl-labels-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char *text = "id\tbin\tcc\treg\tcat\tempty\n"
                       "a\t1\tcase\t0.5\tred\t\n"
                       "b\t0\tcontrol\t-2\tblue\tNA\n"
                       "c\tNA\tcase\t1e2\t.\t\n"
                       "d\t1\t\t3\tgreen\tnan\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    gdl_labels_t lt;
    CHECK(gdl_labels_read(&lt, path) == 0);
    CHECK(lt.T == 5 && lt.rows == 4 && gdl_idmap_get(&lt.map, "c") == 2);
    CHECK(lt.kinds[0] == GDL_TARGET_BINARY && lt.kinds[1] == GDL_TARGET_BINARY);
    CHECK(lt.kinds[2] == GDL_TARGET_REGRESSION && lt.kinds[3] == GDL_TARGET_CATEGORICAL);
    float *v = lt.values;
    CHECK(v[0] == 1 && v[5] == 0 && isnan(v[10]) && v[15] == 1);  // bin
    CHECK(v[1] == 1 && v[6] == 0 && v[11] == 1 && isnan(v[16]));   // case/control
    CHECK(v[2] == 0.5f && v[7] == -2 && v[12] == 100 && v[17] == 3);
    CHECK(v[3] == 2 && v[8] == 0 && isnan(v[13]) && v[18] == 1);   // blue, green, red
    CHECK(lt.classes[3].n == 3 && strcmp(lt.classes[3].buf, "blue") == 0);
    CHECK(isnan(v[4]) && isnan(v[9]) && isnan(v[19]));
    gdl_labels_free(&lt);
    unlink(path);
}

static void test_npy_header(void)
{
    char path[] = "/tmp/gdl-npy-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w+b");
    int64_t shape[3] = {7, 4, 1000};
    CHECK(gdl_npy_write_header(fp, "<f4", 3, shape) == 0);
    long size = ftell(fp);
    CHECK(size % 64 == 0);
    char buf[256];
    rewind(fp);
    CHECK(fread(buf, 1, (size_t)size, fp) == (size_t)size);
    gdl_npy_header_t h;
    CHECK(gdl_npy_read_header(path, buf, (uint64_t)size, &h) == 0);
    CHECK(strcmp(h.descr, "<f4") == 0 && h.ndim == 3 && h.shape[0] == 7 && h.shape[2] == 1000);
    CHECK(h.offset == (uint64_t)size && buf[size - 1] == '\n');
    int64_t one[1] = {5};
    rewind(fp);
    CHECK(gdl_npy_write_header(fp, "|u1", 1, one) == 0);
    size = ftell(fp);
    rewind(fp);
    CHECK(fread(buf, 1, (size_t)size, fp) == (size_t)size);
    CHECK(gdl_npy_read_header(path, buf, (uint64_t)size, &h) == 0 && h.ndim == 1 && h.shape[0] == 5);
    CHECK(strstr(buf + 10, "'shape': (5,)") != NULL);
    gdl_log_set_level(GDL_LOG_QUIET);
    memcpy(buf + 10, "{'descr': '<f4', 'fortran_order': True, 'shape': (5,), }", 56);
    CHECK(gdl_npy_read_header(path, buf, (uint64_t)size, &h) < 0);
    CHECK(gdl_npy_read_header(path, "\x93NUMPY", 6, &h) < 0);
    gdl_log_set_level(GDL_LOG_WARN);
    fclose(fp);
    unlink(path);
}

int main(void)
{
    RUN(test_idmap);
    RUN(test_labels_kinds);
    RUN(test_npy_header);
    return TEST_EXIT();
}
