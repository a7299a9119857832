/* Benchmark input: a VCF on stdout with N samples x M biallelic variants whose calls are ~2%
 * non-zero (ALT frequency uniform in [0.002, 0.018], Hardy-Weinberg), and PREFIX.pheno.tsv
 * (id, disease). Deterministic (xorshift, fixed seed). Not a test; see bench_train.sh.
 * Usage: gen_vcf N M PHENO.tsv > out.vcf */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s = 0x9e3779b97f4a7c15ull;
static double uni(void)
{
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return (double)(s >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc != 4) return fprintf(stderr, "usage: gen_vcf N M PHENO.tsv > out.vcf\n"), 1;
    long N = atol(argv[1]), M = atol(argv[2]);
    FILE *ph = fopen(argv[3], "w");
    if (!ph || N < 1 || M < 1) return fprintf(stderr, "gen_vcf: bad arguments\n"), 1;
    fprintf(ph, "id\tdisease\n");
    for (long i = 0; i < N; i++) fprintf(ph, "s%ld\t%d\n", i, uni() < 0.5);
    if (fclose(ph)) return 1;
    printf("##fileformat=VCFv4.2\n##contig=<ID=1,length=250000000>\n"
           "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT");
    for (long i = 0; i < N; i++) printf("\ts%ld", i);
    putchar('\n');
    static const char *gt[3] = {"\t0/0", "\t0/1", "\t1/1"};
    for (long j = 0; j < M; j++) {
        double p = 0.002 + 0.016 * uni(), q0 = (1 - p) * (1 - p), q1 = q0 + 2 * p * (1 - p);
        printf("1\t%ld\tv%ld\tA\tG\t.\tPASS\t.\tGT", 1000 + j * 10, j);
        for (long i = 0; i < N; i++) {
            double u = uni();
            fputs(gt[u < q0 ? 0 : u < q1 ? 1 : 2], stdout);
        }
        putchar('\n');
    }
    return fflush(stdout) ? 1 : 0;
}
