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

/* The path of the first child (depth first) that hit says is one, into out; 0 when none. */
typedef int (*hit_fn)(const cJSON *node, const cJSON *c);

static int find_in(const cJSON *node, const char *path, hit_fn hit, char *out, size_t cap)
{
    const cJSON *c;
    int i = 0;
    cJSON_ArrayForEach(c, node) {
        char p[512];
        gdl_config_child_path(p, sizeof p, path, node, c, i++);
        if (hit(node, c)) {
            snprintf(out, cap, "%s", p);
            return 1;
        }
        if (find_in(c, p, hit, out, cap)) return 1;
    }
    return 0;
}

static int is_entry_or_repeat(const cJSON *node, const cJSON *c)
{
    return gdl_config_is_search_entry(c) || (cJSON_IsObject(node) && !strcmp(c->string, "repeat"));
}

static int is_second_key(const cJSON *node, const cJSON *c)
{
    if (!cJSON_IsObject(node)) return 0;
    for (const cJSON *b = node->child; b != c; b = b->next)
        if (!strcmp(b->string, c->string)) return 1;
    return 0;
}

int gdl_config_find_search_entry(const cJSON *root, char *path, size_t cap)
{
    return find_in(root, "", is_entry_or_repeat, path, cap);
}

int gdl_config_find_duplicate_key(const cJSON *root, char *path, size_t cap)
{
    return find_in(root, "", is_second_key, path, cap);
}
