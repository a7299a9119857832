/* Aligned allocation and the per-step scratch arena. */
#include <stdlib.h>
#include <string.h>

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

static size_t round_up(size_t n, size_t k) { return (n + k - 1) / k * k; }

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
        if (!b || !(b->mem = gdl_malloc(size))) {
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
        if (b && (b->mem = gdl_malloc(peak))) {
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
        gdl_free(b->mem);
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = a->peak = 0;
}
