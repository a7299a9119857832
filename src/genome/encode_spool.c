/* The column spool of gdl encode. The number of columns is known only at the end, and stdin
 * cannot be read twice, so kept columns wait here until the output can be laid out.
 *
 * Columns are kept four at a time as a group: byte i of a group holds row i's codes of its
 * four columns (column 4g + k in bits 2k), which is byte g of row i in the output. A group is
 * thus one column of the output's byte matrix (N rows x ceil(M / 4) bytes), and the final
 * step is a plain byte transpose. Groups stay in memory up to
 * 64 MB (the block the transpose needs anyway), then go to a file next to the output
 * (unlinked at once, so nothing is left behind), read back a block at a time at the end.
 * N rows, M columns, G = ceil(M / 4) groups. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encode_internal.h"
#include "gdl/core.h"
#include "gdl/data.h"

enum { SPOOL_MEM = 64 << 20, ROWS = 2048 };

int gdl_enc_spool_open(enc_t *e)
{
    enc_spool_t *s = &e->spool;
    size_t n = strlen(e->o->output) + 40;
    char *path = malloc(n);
    if (!path) goto oom;
    snprintf(path, n, "%s.spool.%ld", e->o->output, (long)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        gdl_log_error("%s: cannot create: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    unlink(path); // the file lives as long as the descriptor, whatever happens to us
    free(path);
    if (!(s->file = fdopen(fd, "w+b"))) {
        close(fd);
        gdl_log_error("%s: cannot open the spool: %s", e->o->output, strerror(errno));
        return -1;
    }
    return 0;
oom:
    gdl_log_error("out of memory");
    return -1;
}

void gdl_enc_spool_close(enc_t *e)
{
    enc_spool_t *s = &e->spool;
    if (s->file) fclose(s->file);
    free(s->group);
    gdl_big_free(s->mem, s->mem_bytes);
    *s = (enc_spool_t){.mem_max = s->mem_max};
}

/* Groups the memory part may hold: at least one. */
static int64_t mem_groups_max(const enc_spool_t *s, int64_t N)
{
    int64_t g = (s->mem_max > 0 ? s->mem_max : SPOOL_MEM) / (N > 0 ? N : 1);
    return g > 0 ? g : 1;
}

/* Reserves the memory part whole (address space: pages come as groups are written) on huge
 * pages (gdl_big_alloc), so that filling 64 MB takes 32 page faults, not 16,384 (each costly
 * in a virtual machine). 0 or -1. */
static int reserve_mem(enc_t *e)
{
    enc_spool_t *s = &e->spool;
    s->mem_cap = mem_groups_max(s, e->N);
    s->mem_bytes = (size_t)s->mem_cap * (size_t)e->N;
    return (s->mem = gdl_big_alloc(s->mem_bytes)) ? 0 : -1;
}

/* Moves the full group to memory, or to the file once memory is full. 0 or -1. */
static int store_group(enc_t *e)
{
    enc_spool_t *s = &e->spool;
    int64_t N = e->N;
    if (!s->mem && reserve_mem(e)) return -1;
    if (s->n_file == 0 && s->n_mem < s->mem_cap) {
        memcpy(s->mem + (size_t)s->n_mem++ * (size_t)N, s->group, (size_t)N);
    } else {
        if (fwrite(s->group, 1, (size_t)N, s->file) != (size_t)N) {
            gdl_log_error("%s: cannot write the spool file: %s", e->o->output, strerror(errno));
            return -1;
        }
        s->n_file++;
    }
    memset(s->group, 0, (size_t)N);
    return 0;
}

/* group[i] |= codes[i] << shift for every row. */
GDL_GENOME_HOT static void or_codes(uint8_t *restrict group, const uint8_t *restrict codes,
                                    int64_t n, int shift)
{
    for (int64_t i = 0; i < n; i++) group[i] |= (uint8_t)(codes[i] << shift);
}

int gdl_enc_spool_add(enc_t *e)
{
    enc_spool_t *s = &e->spool;
    if (!s->group && !(s->group = calloc((size_t)e->N, 1))) {
        gdl_log_error("out of memory");
        return -1;
    }
    int k = (int)(s->n_cols++ & 3);
    or_codes(s->group, e->codes, e->N, 2 * k);
    return k == 3 ? store_group(e) : 0;
}

/* Swaps the bytes of a selected by mask << shift with the bytes of b selected by mask. */
static inline void swap_bytes(uint64_t *a, uint64_t *b, int shift, uint64_t mask)
{
    uint64_t t = ((*a >> shift) ^ *b) & mask;
    *b ^= t;
    *a ^= t << shift;
}

/* The 8 x 8 bytes at g (8 rows of stride gs) transposed into o (8 rows of stride os): three
 * rounds of swaps, of bytes between rows 1 apart, of byte pairs between rows 2 apart, of
 * 4-byte halves between rows 4 apart. Written out, so the rows stay in registers. */
static inline void transpose8x8(const uint8_t *g, size_t gs, uint8_t *o, size_t os)
{
    const uint64_t m1 = 0x00FF00FF00FF00FFull, m2 = 0x0000FFFF0000FFFFull, m4 = 0xFFFFFFFFull;
    uint64_t r0 = load_le64(g), r1 = load_le64(g + gs), r2 = load_le64(g + 2 * gs),
             r3 = load_le64(g + 3 * gs), r4 = load_le64(g + 4 * gs), r5 = load_le64(g + 5 * gs),
             r6 = load_le64(g + 6 * gs), r7 = load_le64(g + 7 * gs);
    swap_bytes(&r0, &r1, 8, m1), swap_bytes(&r2, &r3, 8, m1);
    swap_bytes(&r4, &r5, 8, m1), swap_bytes(&r6, &r7, 8, m1);
    swap_bytes(&r0, &r2, 16, m2), swap_bytes(&r1, &r3, 16, m2);
    swap_bytes(&r4, &r6, 16, m2), swap_bytes(&r5, &r7, 16, m2);
    swap_bytes(&r0, &r4, 32, m4), swap_bytes(&r1, &r5, 32, m4);
    swap_bytes(&r2, &r6, 32, m4), swap_bytes(&r3, &r7, 32, m4);
    store_le64(r0, o), store_le64(r1, o + os), store_le64(r2, o + 2 * os);
    store_le64(r3, o + 3 * os), store_le64(r4, o + 4 * os), store_le64(r5, o + 5 * os);
    store_le64(r6, o + 6 * os), store_le64(r7, o + 7 * os);
}

/* Byte transpose: out[(i - i0) * B + q] = g[q * N + i] for rows i0 <= i < i1 and the n groups
 * q at g, 8 x 8 bytes at a time. Rows go by blocks of ROWS, whose output lines (ROWS x 64
 * bytes) stay in cache while 8 groups at a time are read: 8 sequential streams, which the
 * prefetcher follows. */
static void transpose_groups(const uint8_t *g, int64_t n, int64_t N, int64_t i0, int64_t i1,
                             uint8_t *out, int64_t B)
{
    int64_t n8 = n / 8 * 8;
    out -= i0 * B;
    for (int64_t r0 = i0; r0 < i1; r0 += ROWS) {
        int64_t r1 = r0 + ROWS < i1 ? r0 + ROWS : i1, r8 = r0 + (r1 - r0) / 8 * 8;
        for (int64_t q = 0; q < n8; q += 8)
            for (int64_t i = r0; i < r8; i += 8)
                transpose8x8(g + q * N + i, (size_t)N, out + i * B + q, (size_t)B);
        for (int64_t i = r0; i < r1; i++) { // the edges
            uint8_t *o = out + i * B;
            for (int64_t q = i < r8 ? n8 : 0; q < n; q++) o[q] = g[q * N + i];
        }
    }
}

/* Every group in memory: the rows are written through a buffer of about 1 MB, by pwrite,
 * which costs far less than faulting in a mapping of the output page by page. */
static int write_rows(enc_t *e, gdl_writer_t *w, int slot)
{
    enc_spool_t *s = &e->spool;
    int64_t N = e->N, B = s->n_mem, rows = (1 << 20) / B / 8 * 8;
    if (rows < 8) rows = 8;
    uint8_t *buf = malloc((size_t)(rows * B));
    if (!buf) {
        gdl_log_error("out of memory");
        return -1;
    }
    int ret = 0;
    for (int64_t i0 = 0; i0 < N && ret == 0; i0 += rows) {
        int64_t i1 = i0 + rows < N ? i0 + rows : N;
        transpose_groups(s->mem, B, N, i0, i1, buf, B);
        ret = gdl_writer_write_at(w, slot, (uint64_t)(i0 * B), buf, (uint64_t)((i1 - i0) * B));
    }
    free(buf);
    return ret;
}

/* Groups in memory and in the file: transposed into the mapped output, the memory part first,
 * then the file's a memory part's worth at a time. */
static int write_mapped(enc_t *e, gdl_writer_t *w, int slot)
{
    enc_spool_t *s = &e->spool;
    int64_t N = e->N, B = s->n_mem + s->n_file;
    uint8_t *out = gdl_writer_data(w, slot);
    if (!out) return -1;
    transpose_groups(s->mem, s->n_mem, N, 0, N, out, B);
    if (fflush(s->file) != 0 || fseek(s->file, 0, SEEK_SET) != 0) goto io;
    for (int64_t g0 = s->n_mem; g0 < B; g0 += s->mem_cap) {
        int64_t n = B - g0 < s->mem_cap ? B - g0 : s->mem_cap;
        if (fread(s->mem, (size_t)N, (size_t)n, s->file) != (size_t)n) goto io;
        transpose_groups(s->mem, n, N, 0, N, out + g0, B);
    }
    return 0;
io:
    gdl_log_error("%s: cannot read back the spool file: %s", e->o->output,
                  ferror(s->file) ? strerror(errno) : "short read");
    return -1;
}

int gdl_enc_spool_write(enc_t *e, gdl_writer_t *w, int slot)
{
    enc_spool_t *s = &e->spool;
    if (s->n_cols & 3 && store_group(e)) return -1; // the last, partial group
    return s->n_file ? write_mapped(e, w, slot) : write_rows(e, w, slot);
}
