/* labels.tsv (gdl encode-seq / encode-numeric --labels): the keyed table and the kinds
 * inferred from its cells. */
#include "fuzz.h"
#include "gdl/dataops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_file(path, sizeof path, "labels.tsv", data, size);
    gdl_labels_t lt;
    memset(&lt, 0, sizeof lt);
    gdl_labels_read(&lt, path); // which also infers the kinds (gdl_labels_finish)
    gdl_labels_free(&lt);
    return 0;
}
