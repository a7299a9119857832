/* NumPy .npy headers (format 1.0 written; 1.0 and 2.0 read), little-endian C-order arrays only. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

int gdl_npy_write_header(FILE *fp, const char *descr, int ndim, const int64_t *shape)
{
    char dict[512], dims[256] = "";
    size_t k = 0;
    for (int d = 0; d < ndim; d++)
        k += (size_t)snprintf(dims + k, sizeof dims - k, "%" PRId64 "%s", shape[d],
                              ndim == 1 || d + 1 < ndim ? ", " : "");
    if (ndim == 1) dims[k - 1] = 0; // "(5,)"
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                     descr, dims);
    size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64; // header + '\n' to 64 bytes
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    size_t hlen = (size_t)n + pad + 1;
    pre[8] = (unsigned char)(hlen & 0xff);
    pre[9] = (unsigned char)(hlen >> 8);
    if (fwrite(pre, 1, 10, fp) != 10 || fwrite(dict, 1, (size_t)n, fp) != (size_t)n) return -1;
    for (size_t i = 0; i < pad; i++)
        if (fputc(' ', fp) == EOF) return -1;
    return fputc('\n', fp) == EOF ? -1 : 0;
}

int gdl_npy_read_header(const char *path, const void *data, uint64_t size, gdl_npy_header_t *h)
{
    const unsigned char *p = data;
    memset(h, 0, sizeof *h);
    if (size < 10 || memcmp(p, "\x93NUMPY", 6) != 0) {
        gdl_log_error("%s: not a .npy file (no \\x93NUMPY magic)", path);
        return -1;
    }
    uint64_t hlen, start;
    if (p[6] == 1) hlen = p[8] | (uint64_t)p[9] << 8, start = 10;
    else if ((p[6] == 2 || p[6] == 3) && size >= 12)
        hlen = p[8] | (uint64_t)p[9] << 8 | (uint64_t)p[10] << 16 | (uint64_t)p[11] << 24, start = 12;
    else {
        gdl_log_error("%s: .npy format version %d is not supported", path, p[6]);
        return -1;
    }
    if (start + hlen > size || hlen > 65536) {
        gdl_log_error("%s: .npy header length %" PRIu64 " runs past the end of the file", path, hlen);
        return -1;
    }
    char hdr[65537];
    memcpy(hdr, p + start, hlen);
    hdr[hlen] = 0;
    h->offset = start + hlen;
    const char *d = strstr(hdr, "'descr'"), *fo = strstr(hdr, "'fortran_order'"),
               *sh = strstr(hdr, "'shape'");
    if (!d || !fo || !sh) {
        gdl_log_error("%s: .npy header lacks 'descr', 'fortran_order' or 'shape': %s", path, hdr);
        return -1;
    }
    if (sscanf(d, "'descr' : '%7[^']'", h->descr) != 1 && sscanf(d, "'descr': '%7[^']'", h->descr) != 1) {
        gdl_log_error("%s: .npy header: cannot read 'descr'", path);
        return -1;
    }
    fo = strchr(fo + 15, ':');
    while (fo && (*++fo == ' ')) {}
    if (!fo || strncmp(fo, "False", 5) != 0) {
        gdl_log_error("%s: .npy array is not in C order (fortran_order must be False)", path);
        return -1;
    }
    const char *q = strchr(sh, '(');
    if (!q) goto bad_shape;
    q++;
    for (;;) {
        while (*q == ' ') q++;
        if (*q == ')') break;
        char *end;
        long long v = strtoll(q, &end, 10);
        if (end == q || v < 0 || h->ndim == 8) goto bad_shape;
        h->shape[h->ndim++] = v;
        q = end;
        while (*q == ' ') q++;
        if (*q == ',') q++;
        else if (*q != ')') goto bad_shape;
    }
    // the element count must fit any dtype's bytes in 64 bits: a shape whose product overflows
    // is refused here, so no reader multiplies it out
    uint64_t numel = 1;
    for (int d = 0; d < h->ndim; d++)
        if (h->shape[d] && numel > (UINT64_MAX / 16) / (uint64_t)h->shape[d]) {
            char dims[200];
            size_t k = 0;
            for (int j = 0; j < h->ndim && k < sizeof dims; j++)
                k += (size_t)snprintf(dims + k, sizeof dims - k, "%s%" PRId64, j ? ", " : "", h->shape[j]);
            gdl_log_error("%s: .npy shape (%s) holds more than 2^60 values", path, dims);
            return -1;
        } else {
            numel *= (uint64_t)h->shape[d];
        }
    return 0;
bad_shape:
    gdl_log_error("%s: .npy header: cannot read 'shape'", path);
    return -1;
}
