/* A JSON description of a .gdl file, for gdl inspect --json. */
#include <stdlib.h>
#include <cjson/cJSON.h>

#include "gdl/data.h"

char *gdl_file_describe_json(const gdl_file_t *f)
{
    cJSON *root = cJSON_CreateObject(), *meta, *tensors, *t, *arr;
    char *s = NULL;
    if (!root) return NULL;
    if (!cJSON_AddStringToObject(root, "file", gdl_file_path(f)) ||
        !cJSON_AddNumberToObject(root, "bytes", (double)gdl_file_size(f)) ||
        !(meta = cJSON_AddObjectToObject(root, "metadata")) ||
        !(tensors = cJSON_AddArrayToObject(root, "tensors")))
        goto out;
    for (int i = 0; i < gdl_file_meta_count(f); i++) {
        const char *key = gdl_file_meta_key(f, i);
        if (!cJSON_AddStringToObject(meta, key, gdl_file_meta(f, key))) goto out;
    }
    for (int i = 0; i < gdl_file_count(f); i++) {
        const gdl_entry_t *e = gdl_file_entry(f, i);
        double offs[2] = {(double)e->begin, (double)e->end};
        if (!(t = cJSON_CreateObject()) || !cJSON_AddItemToArray(tensors, t)) goto out;
        if (!cJSON_AddStringToObject(t, "name", e->name) ||
            !cJSON_AddStringToObject(t, "dtype", gdl_dtype_name(e->dtype)) ||
            !(arr = cJSON_AddArrayToObject(t, "shape")))
            goto out;
        for (int d = 0; d < e->ndim; d++)
            if (!cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)e->shape[d]))) goto out;
        if (!(arr = cJSON_CreateDoubleArray(offs, 2)) || !cJSON_AddItemToObject(t, "data_offsets", arr))
            goto out;
    }
    s = cJSON_Print(root);
out:
    cJSON_Delete(root);
    return s;
}
