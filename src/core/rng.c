/* xoshiro256** with splitmix64 seeding; (seed, stream) pairs give independent sequences. */
#include <math.h>

#include "gdl/core.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gdl_rng_init(gdl_rng_t *r, uint64_t seed, uint64_t stream)
{
    // mix the stream through its own splitmix step so streams 0,1,2... start far apart
    uint64_t x = stream;
    uint64_t state = seed ^ splitmix64(&x);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&state);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t gdl_rng_u64(gdl_rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gdl_rng_uniform(gdl_rng_t *r) { return (gdl_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t gdl_rng_below(gdl_rng_t *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; // reject the short last bucket
    uint64_t x;
    do x = gdl_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double gdl_rng_normal(gdl_rng_t *r)
{
    double u1, u2;
    do u1 = gdl_rng_uniform(r);
    while (u1 <= 0.0);
    u2 = gdl_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void gdl_rng_shuffle(gdl_rng_t *r, int64_t *a, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)gdl_rng_below(r, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
