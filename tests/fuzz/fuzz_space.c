/* A tune search space (gdl tune -c): parsed and checked, then trials 0 and 1 drawn, the first
 * grid point taken and each resolved to a plain config. */
#include "fuzz.h"
#include "gdl/tune.h"

static void resolve(const gdl_space_t *s, char **values)
{
    free(gdl_space_resolve(s, values));
    gdl_space_values_free(s, values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_file(path, sizeof path, "space.json", data, size);
    gdl_space_t *s = gdl_space_load(path);
    if (!s) return 0;
    char **values;
    for (int t = 0; t < 2; t++)
        if (gdl_space_sample(s, 7, t, &values) == 0) resolve(s, values);
    if (gdl_space_grid_size(s, 3) > 0 && gdl_space_grid(s, 3, 0, &values) == 0) resolve(s, values);
    gdl_space_free(s);
    return 0;
}
