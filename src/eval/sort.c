/* Sorting scores: an LSD radix sort on order-preserving integer keys (eval_key). It gives the
 * same order as a comparison sort with a total order on finite doubles, in linear time, which
 * matters when 919 targets of 455,024 examples are each sorted (and again per fold). Passes
 * whose digit is the same for every key are skipped: probabilities share their top bits. */
#include <string.h>

#include "eval_internal.h"

#define DIGIT_BITS 11
#define BUCKETS (1 << DIGIT_BITS)
#define PASSES 6 // 6 * 11 >= 64

static void insertion(uint64_t *key, uint32_t *pay, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        uint64_t k = key[i];
        uint32_t v = pay[i];
        int64_t j = i;
        for (; j > 0 && key[j - 1] > k; j--) key[j] = key[j - 1], pay[j] = pay[j - 1];
        key[j] = k, pay[j] = v;
    }
}

void gdl_eval_sort(uint64_t *key, uint32_t *pay, int64_t n, uint64_t *tmp_key, uint32_t *tmp_pay)
{
    if (n < 64) {
        insertion(key, pay, n);
        return;
    }
    static __thread uint32_t count[PASSES][BUCKETS]; // 48 KiB per thread, off the stack
    memset(count, 0, sizeof count);
    for (int64_t i = 0; i < n; i++) {
        uint64_t k = key[i];
        for (int d = 0; d < PASSES; d++) count[d][(k >> (d * DIGIT_BITS)) & (BUCKETS - 1)]++;
    }
    uint64_t *src_k = key, *dst_k = tmp_key;
    uint32_t *src_p = pay, *dst_p = tmp_pay;
    for (int d = 0; d < PASSES; d++) {
        uint32_t *c = count[d];
        int shift = d * DIGIT_BITS;
        if (c[(src_k[0] >> shift) & (BUCKETS - 1)] == (uint32_t)n) continue; // one bucket: skip
        uint32_t sum = 0;
        for (int b = 0; b < BUCKETS; b++) {
            uint32_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (int64_t i = 0; i < n; i++) {
            uint32_t at = c[(src_k[i] >> shift) & (BUCKETS - 1)]++;
            dst_k[at] = src_k[i];
            dst_p[at] = src_p[i];
        }
        uint64_t *tk = src_k;
        src_k = dst_k, dst_k = tk;
        uint32_t *tp = src_p;
        src_p = dst_p, dst_p = tp;
    }
    if (src_k != key) {
        memcpy(key, src_k, sizeof *key * (size_t)n);
        memcpy(pay, src_p, sizeof *pay * (size_t)n);
    }
}
