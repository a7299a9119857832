/* The JSON syntax shared by gdl train's configs (model/config.c refuses search entries in them)
 * and gdl tune's search spaces (tune/space.c): what a search entry is, where the first one sits,
 * and how a value's place is written in messages. It brings cJSON in, so only the folders that
 * read configs as JSON include it (model/, tune/; checked by tests/check_deps.sh). */
#ifndef GDL_CONFIG_JSON_H
#define GDL_CONFIG_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* 1 when v is a search entry: an object with a "choice" or a "range" key. */
int gdl_config_is_search_entry(const cJSON *v);
/* The JSON path of the first search entry or "repeat" key under root, written into path; 0
 * when there is none. */
int gdl_config_find_search_entry(const cJSON *root, char *path, size_t cap);
/* The path of child c (the index-th) of node at path: "a.b", "a[3]", or the key alone at the
 * root. */
void gdl_config_child_path(char *out, size_t cap, const char *path, const cJSON *node, const cJSON *c, int index);

#endif
