/* .npy: the header parser on the bytes, then gdl encode-numeric on the file with an IDs file
 * of as many lines as the header claims rows (up to 64), in the header's shape when it has one. */
#include "fuzz.h"
#include "gdl/dataops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[256], ids[256], out[256], text[64 * 8] = "", *p = text;
    fuzz_file(in, sizeof in, "in.npy", data, size);
    gdl_npy_header_t h;
    int64_t C = 1, L = 1, N = 2;
    if (gdl_npy_read_header(in, data, size, &h) == 0) {
        if (h.ndim >= 1 && h.shape[0] >= 0 && h.shape[0] <= 64) N = h.shape[0];
        if (h.ndim >= 2 && h.shape[1] > 0 && h.shape[1] <= 1024) C = h.shape[1];
        if (h.ndim >= 3 && h.shape[2] > 0 && h.shape[2] <= 1024) L = h.shape[2];
    }
    for (int64_t i = 0; i < N; i++) p += sprintf(p, "s%d\n", (int)i);
    fuzz_file(ids, sizeof ids, "ids.txt", text, (size_t)(p - text));
    snprintf(out, sizeof out, "%s/out.gdl", fuzz_dir());
    gdl_encode_numeric_opts_t o = {.input = in, .ids = ids, .channels = C, .length = L, .output = out};
    gdl_encode_numeric(&o);
    unlink(out);
    return 0;
}
