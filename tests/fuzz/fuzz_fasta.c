/* FASTA, plain or gzip: the streaming reader (gdl encode-seq --fasta), then the same file as a
 * faidx reference (gdl encode-seq --ref, gdl vep --ref): its index built and every contig
 * fetched over its ends. */
#include "fuzz.h"
#include "gdl/sequence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256], fai[300];
    fuzz_file(path, sizeof path, "in.fa", data, size);
    gdl_fasta_t fa;
    if (gdl_fasta_open(&fa, path) == 0) {
        for (int n = 0; n < 100000 && gdl_fasta_next(&fa) == 1; n++) {}
        gdl_fasta_close(&fa);
    }
    snprintf(fai, sizeof fai, "%s.fai", path);
    unlink(fai);
    gdl_ref_t *r = gdl_ref_open(path);
    if (r) {
        char buf[64];
        for (int i = 0; i < gdl_ref_ncontigs(r) && i < 16; i++) {
            const char *c = gdl_ref_contig(r, i);
            int64_t len = gdl_ref_length(r, c);
            gdl_ref_fetch(r, c, -8, 24, buf);
            gdl_ref_fetch(r, c, len - 16, len + 16, buf);
        }
        gdl_ref_close(r);
    }
    unlink(fai);
    return 0;
}
