/* The VCF/BCF reader of gdl vep (sites.c): every record's sites, copied to a sites-only VCF with
 * one Number=A float and a flag, as gdl vep -O v writes it. */
#include <math.h>

#include "fuzz.h"
#include "gdl/sequence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256], out[256];
    fuzz_file(in, sizeof in, "in.vcf", data, size);
    snprintf(out, sizeof out, "%s/out.vcf", fuzz_dir());
    gdl_sites_t *s = gdl_sites_open(in, NULL, 0);
    if (!s) return 0;
    const char *keys[] = {"FZ"}, *desc[] = {"fuzz"};
    int copy = (size & 1) && gdl_sites_out_open(s, out, 'v', keys, desc, 1, "FZF", "flag", 0) == 0;
    gdl_site_t site;
    float values[64];
    for (int r = 0; r < 100000 && gdl_sites_next(s, &site) == 1; r++) {
        if (!copy) continue;
        int n = site.n_alleles - 1 < 64 ? site.n_alleles - 1 : 64;
        for (int a = 0; a < n; a++) values[a] = a % 2 ? NAN : (float)a;
        if (site.n_alleles - 1 > 64 || gdl_sites_write(s, values, r & 1)) copy = 0;
    }
    if (copy) gdl_sites_commit(s);
    gdl_sites_close(s);
    unlink(out);
    return 0;
}
