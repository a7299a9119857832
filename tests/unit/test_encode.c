/* The pieces of gdl encode's genotype path against answers worked out by hand or directly:
 * GT from VCF text and from raw BCF values, VCF lines from a chunked stream, and the column
 * spool (its memory and file parts) with the transpose into sample-major rows. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <htslib/bgzf.h>

#include "genome/encode_internal.h"
#include "genome/vcf_internal.h"
#include "test.h"

enum { NS = 5 };

/* Calls for n_in samples, every one kept unless row_of says otherwise. */
typedef struct {
    int64_t row_of[64], sel[64];
    uint8_t codes[64];
    int32_t a0[64], a1[64];
    gt_calls_t c;
} calls_fix_t;

static void calls_init(calls_fix_t *f, int64_t n_in, const int64_t *row_of, int n_allele)
{
    memset(f, 0, sizeof *f);
    int64_t N = 0;
    for (int64_t i = 0; i < n_in; i++) {
        f->row_of[i] = row_of ? row_of[i] : i;
        if (f->row_of[i] >= 0) f->sel[N++] = i;
    }
    memset(f->codes, 0xee, sizeof f->codes);
    f->c = (gt_calls_t){.n_in = n_in, .N = N, .row_of = f->row_of, .sel = f->sel,
                        .n_allele = n_allele, .codes = f->codes, .a0 = f->a0, .a1 = f->a1};
}

static int text(calls_fix_t *f, const char *line, int gt_alone)
{
    return gdl_vcf_gt_text(line, line + strlen(line), gt_alone, &f->c);
}

static void test_gt_format(void)
{
    int alone = -1;
    const char *s = "GT\t0/1";
    CHECK(gdl_vcf_gt_samples(s, s + strlen(s), &alone) == s + 3 && alone == 1);
    s = "GT:DP:GQ\t0/1:3:9";
    CHECK(gdl_vcf_gt_samples(s, s + strlen(s), &alone) == s + 9 && alone == 0);
    const char *no[] = {"DP:GT\t3:0/1", "GT:GT\t0/1:0/1", "GTX\t0/1", "GT", "G\t0", "GT:DP:GT\t."};
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        CHECK(gdl_vcf_gt_samples(no[k], no[k] + strlen(no[k]), &alone) == NULL);
}

static void test_gt_text(void)
{
    calls_fix_t f;
    calls_init(&f, NS, NULL, 2);
    CHECK(text(&f, "0/0\t0|1\t1/1\t./.\t1", 1) == 0);
    const uint8_t want[NS] = {0, 1, 2, 3, 1};
    CHECK(memcmp(f.codes, want, NS) == 0 && f.c.haploid == 1);
    calls_init(&f, NS, NULL, 2);
    CHECK(text(&f, "0/.:7\t.|1:3\t.\t1|0:.\t0:1", 0) == 0);
    const uint8_t want2[NS] = {3, 3, 3, 1, 0};
    CHECK(memcmp(f.codes, want2, NS) == 0 && f.c.haploid == 1);
    // some samples kept: rows 0, 1, 2 from samples 1, 3, 4
    const int64_t row_of[NS] = {-1, 0, -1, 1, 2};
    calls_init(&f, NS, row_of, 2);
    CHECK(text(&f, "0/0\t0|1\t1/1\t./.\t1", 1) == 0);
    CHECK(f.codes[0] == 1 && f.codes[1] == 3 && f.codes[2] == 1 && f.codes[3] == 0xee);
    // 12 ALTs: multi-digit alleles, each sample's alleles kept for the other columns
    calls_init(&f, NS, NULL, 13);
    CHECK(text(&f, "10/11\t0|1\t.\t11\t2/./", 1) == 1); // a third separator: not plain
    calls_init(&f, NS, NULL, 13);
    CHECK(text(&f, "10/11\t0|1\t.\t11\t12/2", 1) == 0);
    const int32_t a0[NS] = {10, 0, -1, 11, 12}, a1[NS] = {11, 1, -2, -2, 2};
    const uint8_t want3[NS] = {0, 1, 3, 0, 0};
    CHECK(memcmp(f.a0, a0, sizeof a0) == 0 && memcmp(f.a1, a1, sizeof a1) == 0);
    CHECK(memcmp(f.codes, want3, NS) == 0 && f.c.haploid == 1);
    // left to htslib
    const char *odd[] = {
        "0/1\t0/1\t0/1\t0/1",            // a column short
        "0/1\t0/1\t0/1\t0/1\t0/1\t0/1",  // a column too many
        "0/1\t0/1\t0/1\t0/1\t0/1\t",     // an empty column after the last
        "0|x\t0/1\t0/1\t0/1\t0/1",       // not an allele
        "0/1/1\t0/1\t0/1\t0/1\t0/1",     // ploidy 3
        "0/2\t0/1\t0/1\t0/1\t0/1",       // allele 2 of a biallelic record
        "0/1:5\t0/1\t0/1\t0/1\t0/1",     // a field when FORMAT is GT alone
        "0/1\t0/1\t0/1\t0/1\t0/1\r",     // CR
        "/1\t0/1\t0/1\t0/1\t0/1",        // no first allele
        "0/\t0/1\t0/1\t0/1\t0/1",        // no second allele
        "+1/0\t0/1\t0/1\t0/1\t0/1",      // a sign
        "0/1\t\t0/1\t0/1\t0/1",          // an empty column
        "0/99999999999\t0/1\t0/1\t0/1\t0/1",
    };
    for (size_t k = 0; k < sizeof odd / sizeof *odd; k++) {
        calls_init(&f, NS, NULL, 2);
        if (text(&f, odd[k], 1) != 1) {
            fprintf(stderr, "  taken as plain: '%s'\n", odd[k]);
            CHECK(0);
        }
    }
}

/* Biallelic GT-only lines take two columns a word; every mix of plain and other calls must
 * give what one column at a time gives. */
static void test_gt_text_pairs(void)
{
    const char *gts[] = {"0/0", "0/1", "1|0", "1|1", "./.", ".", "0", "1", "0/.", ".|1"};
    const uint8_t code[] = {0, 1, 1, 2, 3, 3, 0, 1, 3, 3};
    const int hap[] = {0, 0, 0, 0, 0, 0, 1, 1, 0, 0};
    srand(7);
    for (int trial = 0; trial < 200; trial++) {
        int n = 1 + rand() % 40, h = 0;
        char line[512] = "";
        uint8_t want[64];
        for (int i = 0; i < n; i++) {
            int k = rand() % 10 < 7 ? rand() % 4 : rand() % 10; // mostly plain diploid
            strcat(line, gts[k]);
            if (i + 1 < n) strcat(line, "\t");
            want[i] = code[k];
            h += hap[k];
        }
        calls_fix_t f;
        calls_init(&f, n, NULL, 2);
        CHECK(text(&f, line, 1) == 0);
        CHECK(memcmp(f.codes, want, (size_t)n) == 0 && f.c.haploid == h);
    }
}

static void test_gt_bcf(void)
{
    // int8, diploid: 0/0 0|1 1/1 ./. and a haploid 1 (second value: the vector end)
    uint8_t v8[2 * NS] = {2, 2, 2, 5, 4, 4, 0, 0, 4, (uint8_t)bcf_int8_vector_end};
    bcf_fmt_t gt = {.type = BCF_BT_INT8, .n = 2, .size = 2, .p = v8};
    calls_fix_t f;
    calls_init(&f, NS, NULL, 2);
    CHECK(gdl_vcf_gt_bcf(&gt, &f.c) == 0);
    const uint8_t want[NS] = {0, 1, 2, 3, 1};
    CHECK(memcmp(f.codes, want, NS) == 0 && f.c.haploid == 1);
    const int64_t row_of[NS] = {-1, 0, -1, 1, 2};
    calls_init(&f, NS, row_of, 2);
    CHECK(gdl_vcf_gt_bcf(&gt, &f.c) == 0);
    CHECK(f.codes[0] == 1 && f.codes[1] == 3 && f.codes[2] == 1 && f.c.haploid == 1);
    v8[1] = 6; // allele 2 in a biallelic record: htslib's path reports it
    calls_init(&f, NS, NULL, 2);
    CHECK(gdl_vcf_gt_bcf(&gt, &f.c) == 1);
    v8[1] = (uint8_t)bcf_int8_missing; // not a plain value
    calls_init(&f, NS, NULL, 2);
    CHECK(gdl_vcf_gt_bcf(&gt, &f.c) == 1);
    // int16 (alleles up to 70): 65/0 1|69 70 .|. 3/64
    int16_t v16[2 * NS] = {132, 2, 4, 141, 142, bcf_int16_vector_end, 1, 1, 8, 130};
    bcf_fmt_t g16 = {.type = BCF_BT_INT16, .n = 2, .size = 4, .p = (uint8_t *)v16};
    calls_init(&f, NS, NULL, 71);
    CHECK(gdl_vcf_gt_bcf(&g16, &f.c) == 0);
    const int32_t a0[NS] = {65, 1, 70, -1, 3}, a1[NS] = {0, 69, -2, -1, 64};
    const uint8_t want16[NS] = {0, 1, 0, 3, 0};
    CHECK(memcmp(f.a0, a0, sizeof a0) == 0 && memcmp(f.a1, a1, sizeof a1) == 0);
    CHECK(memcmp(f.codes, want16, NS) == 0 && f.c.haploid == 1);
    g16.n = 3; // ploidy 3
    calls_init(&f, NS, NULL, 71);
    CHECK(gdl_vcf_gt_bcf(&g16, &f.c) == 1);
}

/* Every line of path through gdl_vcf_ahead_line, joined by '|'; *end: the last return value. */
static char *read_lines(const char *path, int threaded, int *end, int *partial)
{
    htsFile *fp = hts_open(path, "r");
    if (!fp) return NULL;
    vcf_ahead_t *a = gdl_vcf_ahead_start(fp, NULL, 0, threaded);
    size_t cap = 8 << 20, n = 0;
    char *out = malloc(cap), *line;
    size_t len;
    int r;
    while ((r = gdl_vcf_ahead_line(a, &line, &len, partial)) == 1 && n + len + 2 < cap) {
        memcpy(out + n, line, len);
        n += len;
        out[n++] = '|';
        CHECK(line[len] == 0);
    }
    *end = r;
    out[n] = 0;
    gdl_vcf_ahead_free(a);
    hts_close(fp);
    return out;
}

static void test_lines(void)
{
    char dir[] = "/tmp/gdl-test-XXXXXX", plain[256], gz[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(plain, sizeof plain, "%s/l.txt", dir);
    snprintf(gz, sizeof gz, "%s/l.txt.gz", dir);
    size_t big = 3 << 20; // longer than a chunk
    char *text = malloc(big + 64), *want = malloc(big + 64);
    strcpy(text, "a\tb\r\n\nc\n");
    size_t n = strlen(text);
    memset(text + n, 'x', big);
    n += big;
    strcpy(text + n, "\nlast");
    n += 5;
    strcpy(want, "a\tb||c|");
    memset(want + 7, 'x', big);
    strcpy(want + 7 + big, "|last|");
    FILE *f = fopen(plain, "w");
    CHECK(f && fwrite(text, 1, n, f) == n);
    fclose(f);
    BGZF *z = bgzf_open(gz, "w");
    CHECK(z && bgzf_write(z, text, n) == (ssize_t)n);
    bgzf_close(z);
    int end, partial;
    for (int threaded = 0; threaded < 2; threaded++) {
        char *got = read_lines(plain, threaded, &end, &partial);
        CHECK(got && strcmp(got, want) == 0 && end == 0);
        free(got);
        got = read_lines(gz, threaded, &end, &partial);
        CHECK(got && strcmp(got, want) == 0 && end == 0);
        free(got);
    }
    // a BGZF file cut inside its last block: the whole lines before that block, then an error
    hts_set_log_level(HTS_LOG_OFF);
    z = bgzf_open(gz, "w");
    for (int i = 0; i < 40000; i++) {
        char l[32];
        int k = snprintf(l, sizeof l, "line %d\n", i);
        CHECK(bgzf_write(z, l, (size_t)k) == k);
    }
    bgzf_close(z);
    f = fopen(gz, "r+");
    fseek(f, 0, SEEK_END);
    CHECK(ftruncate(fileno(f), ftell(f) - 3000) == 0);
    fclose(f);
    for (int threaded = 0; threaded < 2; threaded++) {
        char *got = read_lines(gz, threaded, &end, &partial);
        CHECK(got && strncmp(got, "line 0|line 1|", 14) == 0 && end == -1 && partial == 1);
        int lines = 0;
        for (char *p = got; p && *p; p++) lines += *p == '|';
        CHECK(lines > 30000 && lines < 40000); // what the lost block held is not a line
        free(got);
    }
    unlink(plain);
    unlink(gz);
    rmdir(dir);
    free(text);
    free(want);
}

/* M random columns of N codes through the spool (memory part of mem_max bytes) against the
 * sample-major layout computed directly. */
static void spool_case(int64_t N, int64_t M, int64_t mem_max, int want_file)
{
    char dir[] = "/tmp/gdl-test-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/s.gdl", dir);
    gdl_encode_opts_t o = {.output = path};
    gdl_encode_stats_t st = {0};
    enc_t e = {.o = &o, .st = &st, .N = N, .codes = malloc((size_t)N)};
    e.spool.mem_max = mem_max;
    int64_t B = (M + 3) / 4;
    uint8_t *all = malloc((size_t)(N * M)), *out = malloc((size_t)(N * B));
    CHECK(gdl_enc_spool_open(&e) == 0);
    for (int64_t j = 0; j < M; j++) {
        for (int64_t i = 0; i < N; i++) e.codes[i] = all[j * N + i] = (uint8_t)(rand() % 4);
        CHECK(gdl_enc_spool_add(&e) == 0);
    }
    CHECK((e.spool.n_file > 0) == want_file);
    gdl_writer_t *w = gdl_writer_new();
    int64_t shape[2] = {N, B};
    int slot = gdl_writer_add(w, "g", GDL_U8, 2, shape);
    CHECK(gdl_writer_open(w, path) == 0);
    CHECK(gdl_enc_spool_write(&e, w, slot) == 0);
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);
    memset(out, 0xee, (size_t)(N * B));
    gdl_file_t *f = gdl_file_open(path);
    const gdl_entry_t *g = f ? gdl_file_find(f, "g") : NULL;
    CHECK(g != NULL);
    if (g) memcpy(out, g->data, (size_t)(N * B));
    gdl_file_close(f);
    unlink(path);
    int bad = 0;
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = 0; j < M; j++) bad += ((out[i * B + j / 4] >> (2 * (j % 4))) & 3) != all[j * N + i];
    for (int64_t i = 0; i < N; i++) // the unused codes of a last partial byte are 0
        for (int64_t j = M; j < 4 * B; j++) bad += ((out[i * B + j / 4] >> (2 * (j % 4))) & 3) != 0;
    CHECK(bad == 0);
    gdl_enc_spool_close(&e);
    rmdir(dir);
    free(e.codes);
    free(all);
    free(out);
}

static void test_spool(void)
{
    srand(3);
    spool_case(7, 23, 0, 0);
    spool_case(3000, 4000, 0, 0);     // rows written in 3 blocks of 1,048
    spool_case(7, 23, 2 * 7, 1);     // 2 groups in memory, 4 in the file
    spool_case(131, 400, 3 * 131, 1); // more than one tile, file blocks of 3 groups
    spool_case(1000, 9, 0, 0);
    spool_case(1, 1, 0, 0);
}

int main(void)
{
    RUN(test_gt_format);
    RUN(test_gt_text);
    RUN(test_gt_text_pairs);
    RUN(test_gt_bcf);
    RUN(test_lines);
    RUN(test_spool);
    return TEST_EXIT();
}
