/* Model configs: strict JSON parsing with errors that name the JSON path. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "gdl/config_json.h"
#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/model.h"

typedef enum { KEY_INT, KEY_NUM, KEY_STR, KEY_BOOL } key_type_t;

/* The training block: one row per key, used by the JSON parser and by command-line overrides. */
static const struct {
    const char *key;
    key_type_t type;
    size_t offset, size;
} train_keys[] = {
#define K(name, type) {#name, type, offsetof(gdl_train_config_t, name), sizeof(((gdl_train_config_t *)0)->name)}
    K(optimizer, KEY_STR), K(lr, KEY_NUM), K(batch, KEY_INT), K(epochs, KEY_INT),
    K(seed, KEY_INT), K(weight_decay, KEY_NUM), K(momentum, KEY_NUM), K(nesterov, KEY_BOOL),
    K(clip_norm, KEY_NUM), K(schedule, KEY_STR), K(early_stop, KEY_STR), K(warmup, KEY_INT), K(step_size, KEY_INT),
    K(gamma, KEY_NUM), K(min_lr, KEY_NUM), K(patience, KEY_INT), K(val_frac, KEY_NUM),
    K(grad_accum, KEY_INT), K(pos_weight, KEY_BOOL), K(class_weight, KEY_STR), K(restarts, KEY_INT),
    K(restart_epochs, KEY_INT), K(lazy, KEY_BOOL), K(l1, KEY_NUM), K(l2, KEY_NUM),
    K(l1_path, KEY_INT), K(l1_min_ratio, KEY_NUM), K(l1_ratio, KEY_NUM), K(l1_path_folds, KEY_INT),
    K(solver, KEY_STR), K(linear_by_cd, KEY_STR), K(pseudocount, KEY_NUM),
    {"augment.rc", KEY_BOOL, offsetof(gdl_train_config_t, augment_rc), sizeof(int)},
    {"augment.shift", KEY_INT, offsetof(gdl_train_config_t, augment_shift), sizeof(int)},
#undef K
};
#define N_TRAIN_KEYS (int)(sizeof train_keys / sizeof train_keys[0])

static const char *type_name[] = {"an integer", "a number", "a string", "true or false"};

static int err(const gdl_config_t *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int err(const gdl_config_t *c, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gdl_log_error("%s: %s%s%s", c->path, path, *path ? ": " : "", msg);
    return -1;
}

static int is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble &&
           fabs(v->valuedouble) <= 9007199254740992.0;
}

/* Stores a JSON value (or, from the command line, text) into one training field. */
static int set_train_key(gdl_config_t *c, int k, const cJSON *v, const char *text, const char *path)
{
    void *p = (char *)&c->train + train_keys[k].offset;
    double d = 0;
    if (text) {
        char *end;
        errno = 0;
        if (train_keys[k].type == KEY_STR) goto store_string;
        if (train_keys[k].type == KEY_BOOL) {
            if (!strcmp(text, "1") || !strcmp(text, "true")) d = 1;
            else if (strcmp(text, "0") && strcmp(text, "false")) goto bad;
        } else {
            d = strtod(text, &end);
            if (errno || end == text || *end || !isfinite(d)) goto bad;
            if (train_keys[k].type == KEY_INT && floor(d) != d) goto bad;
        }
    } else {
        switch (train_keys[k].type) {
        case KEY_INT: if (!is_integer(v)) goto bad; d = v->valuedouble; break;
        case KEY_NUM: if (!cJSON_IsNumber(v)) goto bad; d = v->valuedouble; break;
        case KEY_BOOL: if (!cJSON_IsBool(v)) goto bad; d = cJSON_IsTrue(v); break;
        case KEY_STR: if (!cJSON_IsString(v)) goto bad; text = v->valuestring; goto store_string;
        }
    }
    if (d < 0) return err(c, path, "must not be negative");
    if (train_keys[k].type == KEY_NUM) *(double *)p = d;
    else if (train_keys[k].size == sizeof(int)) {
        if (d > 1e9) return err(c, path, "too large");
        *(int *)p = (int)d;
    } else *(int64_t *)p = (int64_t)d;
    return 0;
store_string: {
    char *s = strdup(text);
    if (!s) return err(c, path, "out of memory");
    free(*(char **)p);
    *(char **)p = s;
    return 0;
}
bad:
    return err(c, path, "expected %s", type_name[train_keys[k].type]);
}

static int find_train_key(const char *key)
{
    for (int k = 0; k < N_TRAIN_KEYS; k++)
        if (!strcmp(train_keys[k].key, key)) return k;
    return -1;
}

/* training.augment: an object of the keys "augment.NAME" of the table. */
static int parse_augment(gdl_config_t *c, const cJSON *obj)
{
    const cJSON *v;
    char key[128];
    if (!cJSON_IsObject(obj)) return err(c, "training.augment", "expected an object such as {\"rc\": true, \"shift\": 3}");
    cJSON_ArrayForEach(v, obj) {
        snprintf(key, sizeof key, "augment.%s", v->string);
        int k = find_train_key(key);
        char path[160];
        snprintf(path, sizeof path, "training.%s", key);
        if (k < 0) return err(c, path, "unknown key (rc, shift)");
        if (set_train_key(c, k, v, NULL, path) != 0) return -1;
    }
    return 0;
}

static int parse_training(gdl_config_t *c, const cJSON *obj)
{
    const cJSON *v;
    char path[128];
    if (!cJSON_IsObject(obj)) return err(c, "training", "expected an object");
    cJSON_ArrayForEach(v, obj) {
        if (!strcmp(v->string, "augment")) {
            if (parse_augment(c, v) != 0) return -1;
            continue;
        }
        int k = find_train_key(v->string);
        snprintf(path, sizeof path, "training.%s", v->string);
        if (k < 0 || strchr(v->string, '.')) return err(c, path, "unknown key");
        if (!strcmp(v->string, "l1_ratio") && cJSON_IsArray(v)) { // a grid for the inner folds
            const cJSON *e;
            int n = cJSON_GetArraySize(v);
            if (n < 1 || n > GDL_MAX_L1_RATIOS) return err(c, path, "expected 1 to %d numbers", GDL_MAX_L1_RATIOS);
            c->train.n_l1_ratios = 0;
            cJSON_ArrayForEach(e, v) {
                if (!cJSON_IsNumber(e)) return err(c, path, "expected numbers");
                c->train.l1_ratios[c->train.n_l1_ratios++] = e->valuedouble;
            }
            c->train.l1_ratio = c->train.l1_ratios[0];
            continue;
        }
        if (set_train_key(c, k, v, NULL, path) != 0) return -1;
    }
    return 0;
}

static int check_training(gdl_config_t *c);

int gdl_config_override(gdl_config_t *c, const char *key, const char *value)
{
    char path[128];
    snprintf(path, sizeof path, "--%s", key);
    int k = find_train_key(key);
    if (k < 0) return err(c, path, "not a training setting");
    if (set_train_key(c, k, NULL, value, path) != 0 || check_training(c) != 0) return -1;
    // keep the resolved JSON (saved in models) in step with the override
    cJSON *root = cJSON_Parse(c->json), *t;
    if (!root) return err(c, path, "out of memory");
    if (!(t = cJSON_GetObjectItemCaseSensitive(root, "training")))
        t = cJSON_AddObjectToObject(root, "training");
    const char *dot = strchr(key, '.'); // augment.rc: the key rc of the object augment
    if (t && dot) {
        char group[64];
        snprintf(group, sizeof group, "%.*s", (int)(dot - key), key);
        cJSON *g = cJSON_GetObjectItemCaseSensitive(t, group);
        t = cJSON_IsObject(g) ? g : cJSON_AddObjectToObject(t, group);
        key = dot + 1;
    }
    if (!t) {
        cJSON_Delete(root);
        return err(c, path, "out of memory");
    }
    cJSON *item = train_keys[k].type == KEY_STR ? cJSON_CreateString(value)
                  : train_keys[k].type == KEY_BOOL ? cJSON_CreateBool(value[0] == '1' || value[0] == 't')
                                                   : cJSON_CreateNumber(strtod(value, NULL));
    cJSON_DeleteItemFromObjectCaseSensitive(t, key);
    cJSON_AddItemToObject(t, key, item);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) return err(c, path, "out of memory");
    free(c->json);
    c->json = json;
    return 0;
}

static char *dup_string(gdl_config_t *c, const cJSON *v, const char *path, int required)
{
    char *s;
    if (!v) {
        if (required) err(c, path, "missing");
        return NULL;
    }
    if (!cJSON_IsString(v) || !*v->valuestring) {
        err(c, path, "expected a non-empty string");
        return NULL;
    }
    if (strpbrk(v->valuestring, " ,=\t\n")) {
        err(c, path, "'%s' must not contain spaces, commas or '='", v->valuestring);
        return NULL;
    }
    if (!(s = strdup(v->valuestring))) err(c, path, "out of memory");
    return s;
}

/* "pairs": {"top": K, "p": P} of a genotype input. */
static int parse_pairs(gdl_config_t *c, const cJSON *v, gdl_config_input_t *ci, const char *path)
{
    char sub[200];
    const cJSON *x;
    if (!cJSON_IsObject(v)) return err(c, path, "expected an object {\"top\": K, \"p\": P}");
    ci->pairs_p = 0; // Bonferroni: 0.05 over the pairs
    cJSON_ArrayForEach(x, v) {
        snprintf(sub, sizeof sub, "%s.%s", path, x->string);
        if (!strcmp(x->string, "top")) {
            if (!is_integer(x) || x->valuedouble < 1 || x->valuedouble > 100000)
                return err(c, sub, "expected an integer in [1, 100000]");
            ci->pairs_top = (int64_t)x->valuedouble;
        } else if (!strcmp(x->string, "p")) {
            if (!cJSON_IsNumber(x) || !(x->valuedouble > 0 && x->valuedouble <= 1))
                return err(c, sub, "expected a p-value in (0, 1]");
            ci->pairs_p = x->valuedouble;
        } else {
            return err(c, sub, "unknown key (pairs take top, p)");
        }
    }
    if (!ci->pairs_top) return err(c, path, "missing \"top\"");
    return 0;
}

static int parse_inputs(gdl_config_t *c, const cJSON *arr)
{
    const cJSON *in, *v;
    char path[160];
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return err(c, "inputs", "expected a non-empty array");
    if (cJSON_GetArraySize(arr) > GDL_MODEL_MAX_INPUTS)
        return err(c, "inputs", "at most %d inputs", GDL_MODEL_MAX_INPUTS);
    cJSON_ArrayForEach(in, arr) {
        int i = c->n_inputs++;
        gdl_config_input_t *ci = &c->inputs[i];
        snprintf(path, sizeof path, "inputs[%d]", i);
        if (!cJSON_IsObject(in)) return err(c, path, "expected an object");
        cJSON_ArrayForEach(v, in) {
            snprintf(path, sizeof path, "inputs[%d].%s", i, v->string);
            if (!strcmp(v->string, "name")) {
                if (!(ci->name = dup_string(c, v, path, 1))) return -1;
            } else if (!strcmp(v->string, "from")) {
                if (!(ci->from = dup_string(c, v, path, 1))) return -1;
            } else if (!strcmp(v->string, "sparse")) {
                if (!cJSON_IsBool(v)) return err(c, path, "expected true or false");
                ci->sparse = cJSON_IsTrue(v);
            } else if (!strcmp(v->string, "pairs")) {
                if (parse_pairs(c, v, ci, path) != 0) return -1;
            } else {
                return err(c, path, "unknown key (inputs take name, from, sparse, pairs)");
            }
        }
        snprintf(path, sizeof path, "inputs[%d]", i);
        if (!ci->name) return err(c, path, "missing \"name\"");
        if (!ci->from && !(ci->from = strdup(ci->name))) return err(c, path, "out of memory");
        if (ci->pairs_top && strcmp(ci->from, "genotypes") != 0)
            return err(c, path, "\"pairs\" is for the genotypes input only");
    }
    return 0;
}

/* Appends " key=value" for one layer attribute; JSON arrays of integers become "a,b,c". */
static int append_attr(gdl_config_t *c, char **attrs, size_t *len, const cJSON *v, const char *path)
{
    char val[256];
    size_t k = 0;
    if (is_integer(v)) snprintf(val, sizeof val, "%.0f", v->valuedouble);
    else if (cJSON_IsNumber(v)) snprintf(val, sizeof val, "%.9g", v->valuedouble);
    else if (cJSON_IsBool(v)) snprintf(val, sizeof val, "%d", cJSON_IsTrue(v));
    else if (cJSON_IsString(v) && *v->valuestring && !strpbrk(v->valuestring, " =\t\n"))
        snprintf(val, sizeof val, "%s", v->valuestring);
    else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
        const cJSON *e;
        val[0] = 0;
        cJSON_ArrayForEach(e, v) {
            if (!is_integer(e)) return err(c, path, "expected an array of integers");
            k += snprintf(val + k, sizeof val - k, k ? ",%.0f" : "%.0f", e->valuedouble);
            if (k >= sizeof val) return err(c, path, "array too long");
        }
    } else
        return err(c, path, "expected a number, a word, true/false or an array of integers");
    size_t need = *len + strlen(v->string) + strlen(val) + 3;
    char *p = realloc(*attrs, need);
    if (!p) return err(c, path, "out of memory");
    *attrs = p;
    *len += snprintf(p + *len, need - *len, "%s%s=%s", *len ? " " : "", v->string, val);
    return 0;
}

static int parse_layer(gdl_config_t *c, int i, const cJSON *obj)
{
    gdl_config_layer_t *l = &c->layers[i];
    const cJSON *v;
    char path[160];
    size_t len = 0;
    snprintf(path, sizeof path, "layers[%d]", i);
    if (!cJSON_IsObject(obj)) return err(c, path, "expected an object");
    cJSON_ArrayForEach(v, obj) {
        snprintf(path, sizeof path, "layers[%d].%s", i, v->string);
        if (!strcmp(v->string, "name")) {
            if (!(l->name = dup_string(c, v, path, 1))) return -1;
        } else if (!strcmp(v->string, "type")) {
            if (!(l->type = dup_string(c, v, path, 1))) return -1;
            if (gdl_nn_op_find(l->type) < 0) return err(c, path, "unknown layer type '%s'", l->type);
        } else if (!strcmp(v->string, "input") || !strcmp(v->string, "inputs")) {
            if (l->inputs) return err(c, path, "a layer has \"input\" or \"inputs\", not both");
            if (cJSON_IsString(v)) {
                if (!(l->inputs = dup_string(c, v, path, 1))) return -1;
            } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
                size_t n = 0;
                const cJSON *e;
                cJSON_ArrayForEach(e, v) {
                    if (!cJSON_IsString(e) || !*e->valuestring || strpbrk(e->valuestring, " ,=\t\n"))
                        return err(c, path, "expected layer names");
                    char *p = realloc(l->inputs, n + strlen(e->valuestring) + 2);
                    if (!p) return err(c, path, "out of memory");
                    l->inputs = p;
                    n += sprintf(p + n, n ? ",%s" : "%s", e->valuestring);
                }
            } else {
                return err(c, path, "expected a layer name or an array of them");
            }
        } else if (!strcmp(v->string, "units") && cJSON_IsString(v) && !strcmp(v->valuestring, "outputs")) {
            l->units_from_outputs = 1;
        } else if (append_attr(c, &l->attrs, &len, v, path) != 0) {
            return -1;
        }
    }
    snprintf(path, sizeof path, "layers[%d]", i);
    if (!l->name) return err(c, path, "missing \"name\"");
    if (!l->type) return err(c, path, "missing \"type\"");
    if (!l->inputs) return err(c, path, "missing \"input\"");
    for (int j = 0; j < i; j++)
        if (!strcmp(c->layers[j].name, l->name)) return err(c, path, "name '%s' used twice", l->name);
    for (int j = 0; j < c->n_inputs; j++)
        if (!strcmp(c->inputs[j].name, l->name)) return err(c, path, "name '%s' is an input's", l->name);
    return 0;
}

static int parse_output(gdl_config_t *c, const cJSON *obj)
{
    const cJSON *v;
    char path[160];
    if (!cJSON_IsObject(obj)) return err(c, "output", "expected an object");
    cJSON_ArrayForEach(v, obj) {
        snprintf(path, sizeof path, "output.%s", v->string);
        if (!strcmp(v->string, "layer")) {
            if (!(c->output_layer = dup_string(c, v, path, 1))) return -1;
        } else if (!strcmp(v->string, "loss")) {
            if (!(c->loss = dup_string(c, v, path, 1))) return -1;
            if (strcmp(c->loss, "auto") && gdl_loss_find(c->loss) < 0)
                return err(c, path, "unknown loss '%s' (auto, bce, softmax_ce, mse)", c->loss);
        } else if (!strcmp(v->string, "targets")) {
            const cJSON *e;
            int n = cJSON_GetArraySize(v);
            if (!cJSON_IsArray(v) || n == 0) return err(c, path, "expected an array of target names");
            if (!(c->targets = calloc(n, sizeof *c->targets))) return err(c, path, "out of memory");
            cJSON_ArrayForEach(e, v) {
                if (!cJSON_IsString(e) || !(c->targets[c->n_targets++] = strdup(e->valuestring)))
                    return err(c, path, "expected an array of target names");
            }
        } else {
            return err(c, path, "unknown key (output takes layer, loss, targets)");
        }
    }
    if (!c->output_layer) return err(c, "output", "missing \"layer\"");
    int found = 0;
    for (int i = 0; i < c->n_layers; i++) found |= !strcmp(c->layers[i].name, c->output_layer);
    if (!found) return err(c, "output.layer", "no layer named '%s'", c->output_layer);
    return 0;
}

static void set_defaults(gdl_train_config_t *t)
{
    t->lr = 0.001;
    t->batch = 64;
    t->epochs = 10;
    t->seed = 1;
    t->momentum = 0.9;
    t->step_size = 10;
    t->gamma = 0.1;
    t->patience = 5;
    t->val_frac = 0.1;
    t->l1_min_ratio = 0.01;
    t->pseudocount = 1;
    t->l1_ratio = 1;
    t->grad_accum = 1;
    t->restart_epochs = 1;
}

/* training.solver "cd" fits a linear genotype model: one dense or sparse_dense layer, the
 * output, reading a genotype input. */
static int check_cd(const gdl_config_t *c)
{
    const gdl_config_layer_t *l = &c->layers[0];
    int genotypes = 0;
    for (int k = 0; k < c->n_inputs; k++)
        genotypes |= !strcmp(c->inputs[k].from, "genotypes") && !strcmp(c->inputs[k].name, l->inputs);
    if (c->n_layers != 1 || (strcmp(l->type, "dense") && strcmp(l->type, "sparse_dense")) || !genotypes)
        return err(c, "training.solver", "cd fits one dense or sparse_dense layer on a genotype input (a linear"
                   " model); this config has %d layer%s", c->n_layers, c->n_layers == 1 ? " of another kind" : "s");
    if (c->train.restarts) return err(c, "training.solver", "cd cannot be combined with restarts");
    return 0;
}

/* training.solver "count" fills one kmer layer, the output, with "units": "outputs". */
static int check_count(const gdl_config_t *c)
{
    const gdl_config_layer_t *l = &c->layers[0];
    if (c->n_layers != 1 || strcmp(l->type, "kmer") || !l->units_from_outputs)
        return err(c, "training.solver", "count fills one kmer layer with \"units\": \"outputs\" (the k-mer"
                   " model); this config has %d layer%s", c->n_layers, c->n_layers == 1 ? " of another kind" : "s");
    if (!(c->train.pseudocount > 0)) return err(c, "training.pseudocount", "must be positive");
    if (c->train.restarts || c->train.l1_path || c->train.linear_by_cd)
        return err(c, "training.solver", "count cannot be combined with restarts, l1_path or linear_by_cd");
    return 0;
}

static const gdl_config_layer_t *find_config_layer(const gdl_config_t *c, const char *name)
{
    for (int i = 0; i < c->n_layers; i++)
        if (!strcmp(c->layers[i].name, name)) return &c->layers[i];
    return NULL;
}

int gdl_config_lists_name(const char *inputs, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = inputs; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, name, n) && (p[n] == ',' || !p[n])) return 1;
    return 0;
}

/* training.linear_by_cd names the linear layer of a wide & deep model: a dense or sparse_dense
 * layer on a genotype input with "units": "outputs", one input of the output layer, an add whose
 * other inputs are dense or sparse_dense layers (they start at zero). */
static int check_linear_by_cd(const gdl_config_t *c)
{
    const char *key = "training.linear_by_cd", *name = c->train.linear_by_cd;
    const gdl_config_layer_t *l = find_config_layer(c, name), *out = find_config_layer(c, c->output_layer);
    if (!l) return err(c, key, "no layer is named '%s'", name);
    int genotypes = 0;
    for (int k = 0; k < c->n_inputs; k++)
        genotypes |= !strcmp(c->inputs[k].from, "genotypes") && !strcmp(c->inputs[k].name, l->inputs);
    if ((strcmp(l->type, "dense") && strcmp(l->type, "sparse_dense")) || !genotypes || !l->units_from_outputs)
        return err(c, key, "'%s' must be a dense or sparse_dense layer from a genotype input with \"units\":"
                   " \"outputs\" (the linear model)", name);
    if (!out || strcmp(out->type, "add") || !gdl_config_lists_name(out->inputs, name))
        return err(c, key, "the output layer must be an add of '%s' and the deep part", name);
    char *list = strdup(out->inputs);
    if (!list) return err(c, key, "out of memory");
    int ret = 0;
    for (char *save = NULL, *p = strtok_r(list, ",", &save); p && !ret; p = strtok_r(NULL, ",", &save)) {
        const gdl_config_layer_t *o = find_config_layer(c, p);
        if (strcmp(p, name) && (!o || (strcmp(o->type, "dense") && strcmp(o->type, "sparse_dense"))))
            ret = err(c, key, "'%s', an input of the output add, must be a dense or sparse_dense layer (it starts"
                      " at zero so training starts from the linear model)", p);
    }
    free(list);
    if (!ret && strcmp(c->train.solver, "gradient"))
        ret = err(c, key, "fits the linear layer by cd and the rest by the optimizer; leave solver at gradient");
    if (!ret && c->train.restarts) ret = err(c, key, "cannot be combined with restarts");
    return ret;
}

static int check_training(gdl_config_t *c)
{
    gdl_train_config_t *t = &c->train;
    if (!t->optimizer && !(t->optimizer = strdup("adam"))) return err(c, "training", "out of memory");
    if (!t->schedule && !(t->schedule = strdup("constant"))) return err(c, "training", "out of memory");
    if (!t->early_stop && !(t->early_stop = strdup("loss"))) return err(c, "training", "out of memory");
    if (!t->solver && !(t->solver = strdup("gradient"))) return err(c, "training", "out of memory");
    if (!t->class_weight && !(t->class_weight = strdup("none"))) return err(c, "training", "out of memory");
    if (strcmp(t->class_weight, "none") && strcmp(t->class_weight, "balanced"))
        return err(c, "training.class_weight", "expected none or balanced, got '%s'", t->class_weight);
    if (strcmp(t->solver, "gradient") && strcmp(t->solver, "cd") && strcmp(t->solver, "count"))
        return err(c, "training.solver", "expected gradient, cd or count, got '%s'", t->solver);
    if (strcmp(t->early_stop, "loss") && strcmp(t->early_stop, "metric"))
        return err(c, "training.early_stop", "expected loss or metric, got '%s'", t->early_stop);
    if (gdl_optim_find(t->optimizer) < 0)
        return err(c, "training.optimizer", "unknown optimizer '%s' (sgd, adam, adamw, rmsprop)", t->optimizer);
    if (gdl_sched_find(t->schedule) < 0)
        return err(c, "training.schedule", "unknown schedule '%s' (constant, step, cosine, plateau)", t->schedule);
    if (t->lr <= 0) return err(c, "training.lr", "must be positive");
    if (t->batch < 1) return err(c, "training.batch", "must be at least 1");
    if (t->epochs < 1) return err(c, "training.epochs", "must be at least 1");
    if (t->grad_accum < 1) return err(c, "training.grad_accum", "must be at least 1");
    if (t->val_frac >= 1) return err(c, "training.val_frac", "must be below 1");
    if (t->restart_epochs < 1) return err(c, "training.restart_epochs", "must be at least 1");
    if (t->l1_path && t->l1 > 0) return err(c, "training.l1_path", "give l1 (a fixed penalty) or l1_path, not both");
    if (t->l1_min_ratio <= 0 || t->l1_min_ratio >= 1) return err(c, "training.l1_min_ratio", "must lie in (0, 1)");
    if (t->l1_ratio <= 0 || t->l1_ratio > 1) return err(c, "training.l1_ratio", "must lie in (0, 1]");
    for (int k = 0; k < t->n_l1_ratios; k++) {
        if (t->l1_ratios[k] <= 0 || t->l1_ratios[k] > 1) return err(c, "training.l1_ratio", "must lie in (0, 1]");
        if (t->n_l1_ratios > 1 && t->l1_ratios[k] != 1 && !t->l1_path)
            return err(c, "training.l1_ratio", "splits the l1_path penalty; set l1_path");
    }
    if (t->n_l1_ratios > 1 && strcmp(t->solver, "cd") && !t->linear_by_cd)
        return err(c, "training.l1_ratio", "a list of ratios is a grid for training.solver cd or"
                   " training.linear_by_cd; give one number");
    if (t->l1_ratio != 1 && !t->l1_path) return err(c, "training.l1_ratio", "splits the l1_path penalty; set l1_path");
    if (t->l1_path_folds && !t->l1_path) return err(c, "training.l1_path_folds", "chooses the l1_path's step; set l1_path");
    if (t->l1_path_folds && (t->l1_path_folds < 2 || t->l1_path_folds > 20))
        return err(c, "training.l1_path_folds", "must be 0 (off) or from 2 to 20");
    if (t->l1_path_folds && t->restarts)
        return err(c, "training.l1_path_folds", "cannot be combined with restarts");
    if ((t->augment_rc || t->augment_shift) && strcmp(t->solver, "gradient"))
        return err(c, "training.augment", "reads the batches of gradient training; solver %s sees each row once", t->solver);
    if (!strcmp(t->solver, "cd")) return check_cd(c);
    if (!strcmp(t->solver, "count")) return check_count(c);
    if (t->linear_by_cd) return check_linear_by_cd(c);
    return 0;
}

char *gdl_config_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!fp) {
        gdl_log_error("%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
        n > (16 << 20) || !(buf = malloc(n + 1)) || fread(buf, 1, n, fp) != (size_t)n) {
        fclose(fp);
        free(buf);
        gdl_log_error("%s: cannot read (or larger than 16 MiB)", path);
        return NULL;
    }
    fclose(fp);
    buf[n] = 0;
    return buf;
}

gdl_config_t *gdl_config_load(const char *path, const char *text)
{
    gdl_config_t *c = calloc(1, sizeof *c);
    char *buf = NULL;
    cJSON *root = NULL;
    const cJSON *v;
    if (!c || !(c->path = strdup(path ? path : "config"))) goto oom;
    set_defaults(&c->train);
    if (!text) {
        if (!path) {
            gdl_log_error("internal: a config with neither a path nor a text");
            goto fail;
        }
        if (!(buf = gdl_config_read_file(path))) goto fail;
        text = buf;
    }
    // cppcheck-suppress nullPointerRedundantCheck ; text was given, or read above (else the function left)
    int64_t deep = gdl_json_too_deep(text, strlen(text));
    if (deep) {
        gdl_log_error("%s:%" PRId64 ": JSON nested more than %d levels deep", c->path, deep, GDL_JSON_MAX_DEPTH);
        goto fail;
    }
    if (!(root = cJSON_Parse(text))) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = text; at && p < at; p++) line += *p == '\n';
        gdl_log_error("%s:%d: not valid JSON", c->path, line);
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        err(c, "", "expected a JSON object");
        goto fail;
    }
    char entry[512];
    if (gdl_config_find_duplicate_key(root, entry, sizeof entry)) {
        err(c, entry, "a key given twice in one object");
        goto fail;
    }
    if (gdl_config_find_search_entry(root, entry, sizeof entry)) {
        err(c, entry, "a search entry: gdl train takes plain values; search the space with gdl tune -c %s", c->path);
        goto fail;
    }
    cJSON_ArrayForEach(v, root) {
        const char *k = v->string;
        if (!strcmp(k, "description") || !strcmp(k, "inputs") || !strcmp(k, "layers") ||
            !strcmp(k, "output") || !strcmp(k, "training"))
            continue;
        err(c, k, "unknown key (a config has description, inputs, layers, output, training)");
        goto fail;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "description"))) {
        if (!cJSON_IsString(v) || !(c->description = strdup(v->valuestring))) {
            err(c, "description", "expected a string");
            goto fail;
        }
    }
    if (parse_inputs(c, cJSON_GetObjectItemCaseSensitive(root, "inputs")) != 0) goto fail;
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0) {
        err(c, "layers", "expected a non-empty array");
        goto fail;
    }
    if (!(c->layers = calloc(cJSON_GetArraySize(layers), sizeof *c->layers))) goto oom;
    cJSON_ArrayForEach(v, layers) {
        if (parse_layer(c, c->n_layers++, v) != 0) goto fail;
    }
    if (parse_output(c, cJSON_GetObjectItemCaseSensitive(root, "output")) != 0) goto fail;
    if (!c->loss && !(c->loss = strdup("auto"))) goto oom;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "training")) && parse_training(c, v) != 0) goto fail;
    if (check_training(c) != 0) goto fail;
    if (!(c->json = cJSON_PrintUnformatted(root))) goto oom;
    cJSON_Delete(root);
    free(buf);
    return c;
oom:
    gdl_log_error("out of memory");
fail:
    cJSON_Delete(root);
    free(buf);
    gdl_config_free(c);
    return NULL;
}

void gdl_config_free(gdl_config_t *c)
{
    if (!c) return;
    for (int i = 0; i < c->n_inputs; i++) {
        free(c->inputs[i].name);
        free(c->inputs[i].from);
    }
    for (int i = 0; i < c->n_layers; i++) {
        free(c->layers[i].name);
        free(c->layers[i].type);
        free(c->layers[i].inputs);
        free(c->layers[i].attrs);
    }
    for (int i = 0; i < c->n_targets; i++) free(c->targets[i]);
    free(c->targets);
    free(c->layers);
    free(c->output_layer);
    free(c->loss);
    free(c->train.optimizer);
    free(c->train.schedule);
    free(c->train.early_stop);
    free(c->train.solver);
    free(c->train.class_weight);
    free(c->train.linear_by_cd);
    free(c->description);
    free(c->json);
    free(c->path);
    free(c);
}
