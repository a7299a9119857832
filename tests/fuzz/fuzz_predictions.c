/* predictions.tsv, as gdl eval reads it: every target's kind decided and its metrics computed,
 * with the best-F1 threshold or 0.5, and a small bootstrap on some inputs. No output files. */
#include <math.h>

#include "fuzz.h"
#include "gdl/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_file(path, sizeof path, "predictions.tsv", data, size);
    gdl_eval_opts_t o;
    gdl_eval_opts_init(&o);
    o.predictions = path;
    o.threshold = size & 1 ? NAN : 0.5;
    o.bootstrap = size & 2 ? 3 : 0;
    gdl_eval_run(&o);
    return 0;
}
