/* Aligned allocation, big arrays on huge pages, and the per-step scratch arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gdl/core.h"

void *gdl_malloc(size_t n)
{
    void *p = NULL;
    if (n == 0) n = 1;
    if (posix_memalign(&p, GDL_ALIGN, n) != 0) {
        gdl_log_error("out of memory allocating %zu bytes", n);
        return NULL;
    }
    return p;
}

void *gdl_calloc(size_t n)
{
    void *p = gdl_malloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void gdl_free(void *p) { free(p); }

char *gdl_str_join(const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = c ? strlen(c) : 0;
    char *s = malloc(na + nb + nc + 1);
    if (!s) {
        gdl_log_error("out of memory");
        return NULL;
    }
    memcpy(s, a, na), memcpy(s + na, b, nb);
    if (nc) memcpy(s + na + nb, c, nc);
    s[na + nb + nc] = 0;
    return s;
}

#define HUGE_PAGE ((size_t)2 << 20)

static size_t round_up(size_t n, size_t k) { return (n + k - 1) / k * k; }

/* Below 2 MiB an array gets no huge page anyway: the heap, which also keeps the count of
 * mappings low. Above, a mapping of HUGE_PAGE more than asked for is trimmed to a 2 MiB-aligned
 * run, so the kernel can back it with whole huge pages. */
void *gdl_big_alloc(size_t n)
{
    if (n < HUGE_PAGE) return gdl_calloc(n);
    size_t len = round_up(n, HUGE_PAGE), map_len = len + HUGE_PAGE;
    unsigned char *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        gdl_log_error("out of memory allocating %zu bytes", n);
        return NULL;
    }
    unsigned char *p = (unsigned char *)round_up((uintptr_t)map, HUGE_PAGE);
    if (p > map) munmap(map, (size_t)(p - map));
    if (p + len < map + map_len) munmap(p + len, (size_t)(map + map_len - (p + len)));
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE); // a hint: ordinary pages where the kernel has no huge ones
#endif
    return p;
}

void gdl_big_free(void *p, size_t n)
{
    if (!p) return;
    if (n < HUGE_PAGE) gdl_free(p);
    else munmap(p, round_up(n, HUGE_PAGE));
}

struct gdl_arena_block_t {
    gdl_arena_block_t *next;
    size_t size, used;
    unsigned char *mem;
};

void gdl_arena_init(gdl_arena_t *a, size_t block_size)
{
    memset(a, 0, sizeof *a);
    a->block_size = block_size ? block_size : (size_t)1 << 20;
}

void *gdl_arena_alloc(gdl_arena_t *a, size_t n)
{
    gdl_arena_block_t *b;
    n = round_up(n ? n : 1, GDL_ALIGN);
    // blocks after head are full or were set aside by reset; look for room in any of them
    for (b = a->head; b; b = b->next)
        if (b->size - b->used >= n) break;
    if (!b) {
        size_t size = n > a->block_size ? n : a->block_size;
        b = calloc(1, sizeof *b);
        if (!b || !(b->mem = gdl_big_alloc(size))) {
            free(b);
            gdl_log_error("out of memory: arena block of %zu bytes", size);
            return NULL;
        }
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->mem + b->used;
    b->used += n;
    a->used += n;
    if (a->used > a->peak) a->peak = a->used;
    return p;
}

float *gdl_arena_floats(gdl_arena_t *a, size_t n) { return gdl_arena_alloc(a, n * sizeof(float)); }

/* A step that needed more than one block gets one block of its peak size at the next reset, so
 * the same sequence of requests (the next batch) lands in memory already touched, instead of
 * first-fit spreading it over the blocks differently and growing new ones step after step. */
void gdl_arena_reset(gdl_arena_t *a)
{
    if (a->head && a->head->next) {
        size_t peak = a->peak;
        gdl_arena_free(a);
        gdl_arena_block_t *b = calloc(1, sizeof *b);
        if (b && (b->mem = gdl_big_alloc(peak))) {
            b->size = peak;
            a->head = b;
        } else {
            free(b); // the next allocation grows a block as usual
        }
        a->peak = peak;
    }
    for (gdl_arena_block_t *b = a->head; b; b = b->next) b->used = 0;
    a->used = 0;
}

void gdl_arena_free(gdl_arena_t *a)
{
    gdl_arena_block_t *b = a->head;
    while (b) {
        gdl_arena_block_t *next = b->next;
        gdl_big_free(b->mem, b->size);
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = a->peak = 0;
}
