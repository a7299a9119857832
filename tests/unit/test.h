/* A small test harness: each test binary prints one "PASS name" or "FAIL name" line per test
 * case; tests/run.sh counts them. Checks record the first failure with file and line. */
#ifndef GDL_TEST_H
#define GDL_TEST_H

#include <math.h>
#include <stdio.h>

static int test_failed_;    // failures in the current case
static int test_n_failed_;  // failed cases in this binary

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            if (!test_failed_) fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            test_failed_ = 1;                                                                     \
        }                                                                                         \
    } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_CLOSE(a, b, tol)                                                                    \
    do {                                                                                          \
        double a_ = (a), b_ = (b);                                                                \
        if (!(fabs(a_ - b_) <= (tol) * (fabs(b_) > 1 ? fabs(b_) : 1))) {                          \
            if (!test_failed_)                                                                    \
                fprintf(stderr, "  %s:%d: %s = %.10g, expected %s = %.10g\n", __FILE__, __LINE__, \
                        #a, a_, #b, b_);                                                          \
            test_failed_ = 1;                                                                     \
        }                                                                                         \
    } while (0)

#define RUN(fn)                                                                                   \
    do {                                                                                          \
        test_failed_ = 0;                                                                         \
        fn();                                                                                     \
        printf("%s %s\n", test_failed_ ? "FAIL" : "PASS", #fn);                                   \
        fflush(stdout);                                                                           \
        test_n_failed_ += test_failed_;                                                           \
    } while (0)

#define TEST_EXIT() (test_n_failed_ ? 1 : 0)

#endif
