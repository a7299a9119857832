/* gdl encode on a plink 1 fileset: the input is the .fam, the .bim and the .bed, separated by
 * FUZZ_SEP lines. */
#include "fuzz.h"
#include "gdl/genome.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part[3];
    size_t len[3];
    if (fuzz_split(data, size, part, len, 3) != 3) return 0;
    char path[256], prefix[256], out[256];
    fuzz_file(path, sizeof path, "in.fam", part[0], len[0]);
    fuzz_file(path, sizeof path, "in.bim", part[1], len[1]);
    fuzz_file(path, sizeof path, "in.bed", part[2], len[2]);
    snprintf(prefix, sizeof prefix, "%s/in", fuzz_dir());
    snprintf(out, sizeof out, "%s/out.gdl", fuzz_dir());
    gdl_encode_opts_t o = {
        .plink = prefix,
        .output = out,
        .threads = 1 + (int)(size % 2),
        .encoding = (gdl_geno_encoding_t)(size / 2 % GDL_GENO_ENCODING_COUNT),
        .max_missing = 1,
        .snps_only = (size & 8) != 0,
        .keep_missing = (size & 16) != 0,
    };
    gdl_encode_stats_t st;
    gdl_encode(&o, &st);
    unlink(out);
    return 0;
}
