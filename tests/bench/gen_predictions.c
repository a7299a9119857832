/* Writes a DeepSEA-test-sized predictions.tsv for the eval benchmark: N rows x T binary
 * targets, positives rare (0.2% to 10% per target, one target with none, as in the DeepSEA
 * test set), scores sigmoid(2 * label + noise) written with 6 decimals like a float32
 * probability. Usage: gen_predictions N T SEED > predictions.tsv */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s;
static uint64_t next(void) // splitmix64: enough for test data
{
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(next() >> 11) * 0x1.0p-53; }

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_predictions N T SEED\n");
        return 1;
    }
    long N = atol(argv[1]), T = atol(argv[2]);
    s = strtoull(argv[3], NULL, 10);
    double *prev = malloc(sizeof *prev * (size_t)T);
    for (long t = 0; t < T; t++) prev[t] = t == 7 ? 0 : 0.002 + 0.098 * unif() * unif();
    static char buf[1 << 16];
    setvbuf(stdout, NULL, _IOFBF, 1 << 20);
    printf("id");
    for (long t = 0; t < T; t++) printf("\tt%ld:label\tt%ld:score", t, t);
    putchar('\n');
    for (long i = 0; i < N; i++) {
        char *p = buf;
        p += sprintf(p, "chr1:%ld", 1000 + i * 200);
        for (long t = 0; t < T; t++) {
            int y = unif() < prev[t];
            // logistic noise: logit = 2y - 3 + log(u / (1 - u))
            double u = unif() * 0.999998 + 0.000001;
            double z = 2.0 * y - 3.0 + log(u / (1 - u));
            long q = lround(1e6 / (1 + exp(-z)));
            *p++ = '\t', *p++ = (char)('0' + y), *p++ = '\t';
            if (q >= 1000000) *p++ = '1';
            else {
                *p++ = '0', *p++ = '.';
                for (int d = 5; d >= 0; d--) p[d] = (char)('0' + q % 10), q /= 10;
                p += 6;
            }
            if (p - buf > (long)sizeof buf - 64) fwrite(buf, 1, (size_t)(p - buf), stdout), p = buf;
        }
        *p++ = '\n';
        fwrite(buf, 1, (size_t)(p - buf), stdout);
    }
    free(prev);
    return fflush(stdout) == 0 ? 0 : 1;
}
