/* The phenotype TSV of gdl encode --pheno: the columns named on its own header line (at most
 * four, comma-joined, as --pheno-cols gives them), then a lookup of a few sample IDs. */
#include "fuzz.h"
#include "genome/genome_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256], cols[256] = "";
    fuzz_file(path, sizeof path, "pheno.tsv", data, size);
    size_t n = 0, k = 0;
    while (n < size && data[n] != '\n' && data[n] != '\t') n++; // skip the ID column's name
    for (int f = 0; n < size && data[n] == '\t' && f < 4; f++) {
        if (f && k >= sizeof cols - 2) break; // the list is full: no room for ",X"
        if (f) cols[k++] = ',';
        for (n++; n < size && data[n] != '\t' && data[n] != '\n' && k < sizeof cols - 2; n++)
            cols[k++] = (char)data[n];
    }
    cols[k] = 0;
    pheno_t *p = gdl_pheno_load(path, *cols ? cols : "y");
    if (p) {
        float out[64];
        if (gdl_pheno_targets(p) <= 64) {
            gdl_pheno_get(p, "s1", out);
            gdl_pheno_get(p, "s2", out);
        }
        gdl_pheno_unused(p);
        gdl_pheno_free(p);
    }
    return 0;
}
