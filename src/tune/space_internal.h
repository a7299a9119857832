/* tune's private pieces: what a search entry is (config.c refuses them in gdl train's configs),
 * and the duplicate-key check configs and spaces share. */
#ifndef GDL_TUNE_SPACE_INTERNAL_H
#define GDL_TUNE_SPACE_INTERNAL_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* 1 when v is a search entry: an object with a "choice" or a "range" key. */
int space_is_entry(const cJSON *v);
/* The JSON path of the first search entry or "repeat" key under root, written into path; 0
 * when there is none. */
int space_find_entry(const cJSON *root, char *path, size_t cap);
/* The JSON path of the first key an object of root holds twice (cJSON keeps both, and a reader
 * would see one and drop the other), into path; 0 when there is none. */
int space_find_twice(const cJSON *root, char *path, size_t cap);

#endif
