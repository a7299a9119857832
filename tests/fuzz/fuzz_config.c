/* The JSON model config (gdl train -c): parsed and checked by gdl_config_load, then a training
 * override applied as gdl train --set does. */
#include "fuzz.h"
#include "gdl/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = fuzz_text(data, size);
    gdl_config_t *c = gdl_config_load("fuzz.json", json);
    if (c) {
        gdl_config_override(c, "lr", "0.01");
        gdl_config_free(c);
    }
    free(json);
    return 0;
}
