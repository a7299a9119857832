/* Numbers in text fields, parsed exactly: a decimal is the double strtod would give, found
 * without strtod (and its locale) in the common case. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/dataops.h"

const double gdl_pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Clinger's fast path: an integer mantissa below 2^53 times or divided by an exact power of
 * ten is one correctly rounded operation. Anything else goes to strtod. */
int gdl_parse_double(const char *s, const char *e, double *out)
{
    const char *p = s;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, frac = 0, any = 0;
    while (p < e && *p >= '0' && *p <= '9') {
        m = m * 10 + (uint64_t)(*p - '0'); // at most 19 digits: no overflow
        if (m) digits++;
        if (digits > 19) goto slow;
        p++, any = 1;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && *p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            if (m) digits++;
            if (digits > 19) goto slow;
            frac++, p++, any = 1;
        }
    }
    if (!any) goto slow; // "nan", "inf", "." and words: strtod decides, the check below rejects
    int ex = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0, edig = 0;
        if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        while (p < e && *p >= '0' && *p <= '9' && edig < 6) ex = ex * 10 + (*p++ - '0'), edig++;
        if (!edig) return -1;
        if (eneg) ex = -ex;
    }
    if (p != e) goto slow;
    ex -= frac;
    if (m >= (1ull << 53) || ex < -22 || ex > 22) goto slow;
    double v = (double)m;
    v = ex < 0 ? v / gdl_pow10_exact[-ex] : v * gdl_pow10_exact[ex];
    *out = (neg ? -v : v) + 0.0; // -0 + 0 = +0
    return 0;
slow:;
    char buf[256];
    size_t len = (size_t)(e - s);
    if (len == 0 || len >= sizeof buf || *s == ' ' || *s == '\t') return -1;
    if (memchr(s, 'x', len) || memchr(s, 'X', len)) return -1; // no hexadecimal floats
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    double sv = strtod(buf, &end);
    if (end != buf + len || !isfinite(sv)) return -1;
    *out = sv + 0.0;
    return 0;
}
