/* The K best pairs of a scan (epi_internal.h): a binary heap whose root is the worst kept pair,
 * so a new pair costs one comparison unless it enters. */
#include <stdlib.h>

#include "epi_internal.h"
#include "gdl/core.h"

int gdl_epi_heap_init(epi_heap_t *h, int64_t cap)
{
    h->n = 0, h->cap = cap;
    h->e = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *h->e);
    if (!h->e) gdl_log_error("out of memory for %lld pairs", (long long)cap);
    return h->e ? 0 : -1;
}

void gdl_epi_heap_free(epi_heap_t *h)
{
    free(h->e);
    h->e = NULL, h->n = h->cap = 0;
}

int gdl_epi_heap_wants(const epi_heap_t *h, const gdl_epi_pair_t *x)
{
    return h->n < h->cap || gdl_epi_pair_cmp(x, &h->e[0]) < 0;
}

static void sift_down(gdl_epi_pair_t *e, int64_t n, int64_t i)
{
    for (;;) {
        int64_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && gdl_epi_pair_cmp(&e[l], &e[worst]) > 0) worst = l;
        if (r < n && gdl_epi_pair_cmp(&e[r], &e[worst]) > 0) worst = r;
        if (worst == i) return;
        gdl_epi_pair_t t = e[i];
        e[i] = e[worst], e[worst] = t, i = worst;
    }
}

void gdl_epi_heap_push(epi_heap_t *h, const gdl_epi_pair_t *x)
{
    if (h->n < h->cap) { // sift up
        int64_t i = h->n++;
        h->e[i] = *x;
        while (i > 0 && gdl_epi_pair_cmp(&h->e[(i - 1) / 2], &h->e[i]) < 0) {
            gdl_epi_pair_t t = h->e[i];
            h->e[i] = h->e[(i - 1) / 2], h->e[(i - 1) / 2] = t, i = (i - 1) / 2;
        }
    } else if (h->cap > 0 && gdl_epi_pair_cmp(x, &h->e[0]) < 0) {
        h->e[0] = *x;
        sift_down(h->e, h->n, 0);
    }
}

void gdl_epi_heap_sort(epi_heap_t *h)
{
    for (int64_t n = h->n; n > 1; n--) { // move the worst to the end, repeatedly
        gdl_epi_pair_t t = h->e[0];
        h->e[0] = h->e[n - 1], h->e[n - 1] = t;
        sift_down(h->e, n - 1, 0);
    }
}
