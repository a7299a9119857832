/* gdl encode on a VCF or BCF (htslib detects which, plain or compressed): the GT fast path,
 * the generic path and, with 2 threads, the read-ahead slots. The input's length picks the
 * options, so mutations reach every combination. Not 3 threads and more: those add htslib's
 * decompression pool, whose worker threads LeakSanitizer now and then reports (a block it
 * scans while the pool shuts down; not reproducible, never in gdl's code). */
#include "fuzz.h"
#include "gdl/genome.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256], out[256];
    fuzz_file(in, sizeof in, "in.vcf", data, size);
    snprintf(out, sizeof out, "%s/out.gdl", fuzz_dir());
    gdl_encode_opts_t o = {
        .input = in,
        .output = out,
        .threads = 1 + (int)(size % 2),
        .encoding = (gdl_geno_encoding_t)(size / 2 % GDL_GENO_ENCODING_COUNT),
        .max_missing = size & 8 ? 0.5 : 1,
        .maf = size & 16 ? 0.01 : 0,
        .pass_only = (size & 32) != 0,
        .snps_only = (size & 64) != 0,
        .keep_missing = 1,
    };
    gdl_encode_stats_t st;
    gdl_encode(&o, &st);
    unlink(out);
    return 0;
}
