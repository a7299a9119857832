/* The JSON syntax gdl train's configs and gdl tune's search spaces share (gdl/config_json.h). */
#include <stdio.h>
#include <string.h>

#include "gdl/config_json.h"

int gdl_config_is_search_entry(const cJSON *v)
{
    return cJSON_IsObject(v) && (cJSON_GetObjectItemCaseSensitive(v, "choice") ||
                                 cJSON_GetObjectItemCaseSensitive(v, "range"));
}

void gdl_config_child_path(char *out, size_t cap, const char *path, const cJSON *node, const cJSON *c, int index)
{
    if (cJSON_IsArray(node)) snprintf(out, cap, "%s[%d]", path, index);
    else snprintf(out, cap, "%s%s%s", path, *path ? "." : "", c->string);
}

static int find_in(const cJSON *node, const char *path, char *out, size_t cap)
{
    const cJSON *c;
    int i = 0;
    cJSON_ArrayForEach(c, node) {
        char p[512];
        gdl_config_child_path(p, sizeof p, path, node, c, i++);
        if (gdl_config_is_search_entry(c) || (cJSON_IsObject(node) && !strcmp(c->string, "repeat"))) {
            snprintf(out, cap, "%s", p);
            return 1;
        }
        if (find_in(c, p, out, cap)) return 1;
    }
    return 0;
}

int gdl_config_find_search_entry(const cJSON *root, char *path, size_t cap)
{
    return find_in(root, "", path, cap);
}
