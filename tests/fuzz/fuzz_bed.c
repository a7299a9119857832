/* BED regions on a reference (gdl encode-seq --bed --ref): coordinates, names, label columns,
 * windows cropped or padded at the contig ends. The reference is fixed, made once. */
#include "fuzz.h"
#include "gdl/sequence.h"

static const char *reference(void)
{
    static char path[256];
    if (*path) return path;
    char seq[512], *p = seq;
    p += sprintf(p, ">chr1\n");
    for (int i = 0; i < 120; i++) *p++ = "ACGTTGCAN"[i % 9];
    p += sprintf(p, "\n>chr2 second\nACGTACGTAC\nGT\n");
    fuzz_file(path, sizeof path, "ref.fa", seq, (size_t)(p - seq));
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char bed[256], out[256];
    const char *ref = reference();
    fuzz_file(bed, sizeof bed, "in.bed", data, size);
    snprintf(out, sizeof out, "%s/out.gdl", fuzz_dir());
    gdl_encode_seq_opts_t o = {
        .bed = bed,
        .ref = ref,
        .window = size % 3 == 0 ? 0 : (int64_t)(size % 3) * 7,
        .rc = (size & 4) != 0,
        .order = 1 + (int)(size / 8 % 2),
        .output = out,
    };
    gdl_encode_sequences(&o);
    unlink(out);
    return 0;
}
