/* gdl encode-numeric on a TSV (ID then C * L values; an optional header), plain or gzip; the
 * shape --shape C,L is picked by the input's length. */
#include "fuzz.h"
#include "gdl/dataops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t shapes[][2] = {{1, 2}, {2, 2}, {1, 4}, {3, 1}};
    char in[256], out[256];
    fuzz_file(in, sizeof in, "marks.tsv", data, size);
    snprintf(out, sizeof out, "%s/out.gdl", fuzz_dir());
    gdl_encode_numeric_opts_t o = {
        .input = in,
        .channels = shapes[size % 4][0],
        .length = shapes[size % 4][1],
        .keep_missing = 1,
        .output = out,
    };
    gdl_encode_numeric(&o);
    unlink(out);
    return 0;
}
