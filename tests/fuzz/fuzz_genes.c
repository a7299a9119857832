/* Gene annotation (gdl encode --genes): GTF when the input holds a "gene" feature column, else
 * BED (the reader decides by the file name), then the lookups encode makes for each variant. */
#include "fuzz.h"
#include "genome/genome_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256], name[128];
    int gtf = 0;
    for (size_t i = 0; i + 6 <= size && !gtf; i++) gtf = memcmp(data + i, "\tgene\t", 6) == 0;
    fuzz_file(path, sizeof path, gtf ? "genes.gtf" : "genes.bed", data, size);
    genes_t *g = gdl_genes_load(path);
    if (g) {
        static const int64_t pos[] = {1, 100, 1000, 123456, INT64_MAX / 2};
        for (int i = 0; i < 5; i++) {
            gdl_genes_lookup(g, "chr1", pos[i], 1000, name, sizeof name);
            gdl_genes_lookup(g, "1", pos[i], 0, name, sizeof name);
        }
        gdl_genes_free(g);
    }
    return 0;
}
