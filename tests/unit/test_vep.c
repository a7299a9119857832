/* gdl vep's alternate window: SNVs and MNVs in place, insertions push the right flank out,
 * deletions pull more reference in, and the window keeps its length. */
#include <string.h>

#include "gdl/vep.h"
#include "test.h"

static void check_window(const char *span, int64_t L, const char *ref, const char *alt, const char *want)
{
    char out[64] = {0};
    gdl_vep_alt_window(span, L, (int64_t)strlen(ref), alt, (int64_t)strlen(alt), out);
    CHECK(strlen(want) == (size_t)L && memcmp(out, want, (size_t)L) == 0);
    if (memcmp(out, want, (size_t)L)) fprintf(stderr, "  %s>%s: got %.*s, want %s\n", ref, alt, (int)L, out, want);
}

static void test_alt_windows(void)
{
    // window of 10 with REF's first base at position 5; span = the reference from the window's start
    const char *span = "AAAAACGTACGGGGTTTT";
    check_window(span, 10, "C", "T", "AAAAATGTAC");          // SNV
    check_window(span, 10, "CGT", "TTA", "AAAAATTAAC");      // MNV
    check_window(span, 10, "C", "CTT", "AAAAACTTGT");        // insertion: the right flank pushed out
    check_window(span, 10, "CGT", "C", "AAAAACACGG");        // deletion: more reference pulled in
    check_window(span, 10, "CGTA", "TT", "AAAAATTCGG");      // complex, REF longer than ALT
    check_window(span, 10, "C", "CGGGGGGGGGGG", "AAAAACGGGG"); // an insertion longer than the flank
    check_window("AAAACGTACGG", 9, "C", "G", "AAAAGGTAC");    // odd length: L / 2 = 4 bases on the left
}

int main(void)
{
    RUN(test_alt_windows);
    return TEST_EXIT();
}
