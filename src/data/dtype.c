/* Element types of the container, named as safetensors names them. */
#include <string.h>
#include <zlib.h>
#include <cjson/cJSON.h>

#include "gdl/data.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [GDL_BOOL] = {"BOOL", 1}, [GDL_U8] = {"U8", 1},   [GDL_I8] = {"I8", 1},
    [GDL_U16] = {"U16", 2},   [GDL_I16] = {"I16", 2}, [GDL_F16] = {"F16", 2},
    [GDL_BF16] = {"BF16", 2}, [GDL_U32] = {"U32", 4}, [GDL_I32] = {"I32", 4},
    [GDL_F32] = {"F32", 4},   [GDL_U64] = {"U64", 8}, [GDL_I64] = {"I64", 8},
    [GDL_F64] = {"F64", 8},
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == GDL_DTYPE_COUNT, "one entry per dtype");

const char *gdl_dtype_name(gdl_dtype_t t) { return t < GDL_DTYPE_COUNT ? dtypes[t].name : "?"; }
size_t gdl_dtype_size(gdl_dtype_t t) { return t < GDL_DTYPE_COUNT ? dtypes[t].size : 0; }

int gdl_dtype_from_name(const char *name)
{
    for (int i = 0; i < GDL_DTYPE_COUNT; i++)
        if (strcmp(dtypes[i].name, name) == 0) return i;
    return -1;
}

const char *gdl_data_cjson_version(void) { return cJSON_Version(); }
const char *gdl_data_zlib_version(void) { return zlibVersion(); }
