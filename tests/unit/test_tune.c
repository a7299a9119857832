/* tune: the shipped search spaces' defaults (trial 0) are the shipped configs they name. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "gdl/core.h"
#include "gdl/tune.h"
#include "test.h"

static cJSON *without_description(cJSON *c)
{
    if (c) cJSON_DeleteItemFromObjectCaseSensitive(c, "description");
    return c;
}

static cJSON *read_json(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, 0, fp);
    fclose(fp);
    cJSON *c = n > 0 ? cJSON_Parse(text) : NULL;
    free(text);
    return c;
}

static void default_is(const char *space, const char *config)
{
    char *json = gdl_tune_default_config(space);
    CHECK(json != NULL);
    cJSON *a = without_description(json ? cJSON_Parse(json) : NULL), *b = without_description(read_json(config));
    CHECK(a && b);
    if (a && b && !cJSON_Compare(a, b, 1)) {
        fprintf(stderr, "  %s: trial 0 is not %s\n", space, config);
        CHECK(0);
    }
    cJSON_Delete(a), cJSON_Delete(b);
    free(json);
}

static void test_shipped_space_defaults(void)
{
    static const char *names[] = {"simple-cnn", "genotype-mlp", "genotype-linear", "danq", "expression-two-branch",
                                 "position-cnn"};
    char space[256], config[256];
    gdl_log_set_level(GDL_LOG_ERROR);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(space, sizeof space, "configs/space/%s.json", names[i]);
        snprintf(config, sizeof config, "configs/%s.json", names[i]);
        default_is(space, config);
    }
}

int main(void)
{
    RUN(test_shipped_space_defaults);
    return test_n_failed_ ? 1 : 0;
}
