/* gdl vep's alternate window: the reference's left L/2 bases, ALT, then the reference after REF,
 * cut or extended to L, against windows written out by hand. */
#include <string.h>

#include "gdl/vep.h"
#include "test.h"

/* The alternate window of REF length lr -> ALT over span, compared with want (its length L). */
static int alt_is(const char *span, int64_t lr, const char *alt, const char *want)
{
    char out[64] = {0};
    int64_t L = (int64_t)strlen(want);
    gdl_vep_alt_window(span, L, lr, alt, (int64_t)strlen(alt), out);
    if (memcmp(out, want, (size_t)L) != 0) fprintf(stderr, "  got %.*s, expected %s\n", (int)L, out, want);
    return memcmp(out, want, (size_t)L) == 0;
}

static void test_alt_window_even(void)
{
    // L 8: REF starts at 4 (span "ACGT|TGCA|..." from the window's start)
    const char *span = "ACGTTGCAGGCCAATT";
    CHECK(alt_is(span, 1, "A", "ACGTAGCA"));         // SNV
    CHECK(alt_is(span, 2, "CC", "ACGTCCCA"));        // MNV
    CHECK(alt_is(span, 1, "TAA", "ACGTTAAG"));       // insertion: the right flank pushed out
    CHECK(alt_is(span, 1, "TAAAAAAAAA", "ACGTTAAA")); // longer than the right half: cut at L
    CHECK(alt_is(span, 3, "T", "ACGTTAGG"));         // deletion: more reference pulled in
    CHECK(alt_is(span, 6, "T", "ACGTTCCA"));         // longer than L/2
    CHECK(alt_is(span, 3, "GA", "ACGTGAAG"));        // complex, REF 3 -> ALT 2
}

static void test_alt_window_odd(void)
{
    // L 5: REF starts at 5 / 2 = 2
    const char *span = "ACGTTGCA";
    CHECK(alt_is(span, 1, "T", "ACTTT"));
    CHECK(alt_is(span, 2, "G", "ACGTG"));
    CHECK(alt_is(span, 1, "GAC", "ACGAC"));
}

int main(void)
{
    RUN(test_alt_window_even);
    RUN(test_alt_window_odd);
    return TEST_EXIT();
}
