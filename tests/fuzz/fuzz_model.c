/* Model files: gdl_model_load (read into memory) and gdl_model_load_mapped (gdl inspect's and
 * gdl predict's), which parse the container, the stored config and the parameter table. */
#include "fuzz.h"
#include "gdl/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_file(path, sizeof path, "model.gdl", data, size);
    gdl_model_free(gdl_model_load(path));
    gdl_model_free(gdl_model_load_mapped(path));
    return 0;
}
