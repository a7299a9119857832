/* Search spaces: configs whose values may be search entries, checked, sampled and resolved. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "gdl/config_json.h"
#include "gdl/core.h"
#include "gdl/tune.h"

enum { STREAM_TRIAL = 0x54554e45 }; // "TUNE": trial t draws from stream STREAM_TRIAL + t
#define MAX_REPEAT 64

static int err(const char *file, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int err(const char *file, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gdl_log_error("%s: %s%s%s", file, path, *path ? ": " : "", msg);
    return -1;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static char *print_value(const cJSON *v)
{
    return cJSON_PrintUnformatted(v);
}

static char *format_number(double v, int integer)
{
    char buf[64];
    if (integer) snprintf(buf, sizeof buf, "%.0f", v);
    else snprintf(buf, sizeof buf, "%.6g", v);
    return strdup(buf);
}

/* A range's value as the space's text: integers rounded, numbers to 6 significant digits,
 * clamped into the range after rounding. */
static char *range_text(const gdl_param_t *p, double v)
{
    if (p->integer) v = floor(v + 0.5);
    char buf[64];
    snprintf(buf, sizeof buf, p->integer ? "%.0f" : "%.6g", v);
    double back = strtod(buf, NULL);
    if (back > p->hi) return format_number(p->hi, p->integer);
    if (back < p->lo) return format_number(p->lo, p->integer);
    return strdup(buf);
}

static int bad_entry_key(const char *k)
{
    return strcmp(k, "choice") && strcmp(k, "range") && strcmp(k, "log") && strcmp(k, "int") && strcmp(k, "default");
}

/* One search entry at path into p; repeat: the values must be integers >= 0. */
static int parse_entry(const char *file, const cJSON *v, const char *path, int repeat, gdl_param_t *p)
{
    const cJSON *choice = cJSON_GetObjectItemCaseSensitive(v, "choice");
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(v, "range");
    const cJSON *log = cJSON_GetObjectItemCaseSensitive(v, "log"), *integer = cJSON_GetObjectItemCaseSensitive(v, "int");
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(v, "default"), *e;
    char at[600];
    cJSON_ArrayForEach(e, v) {
        if (bad_entry_key(e->string)) {
            snprintf(at, sizeof at, "%s.%s", path, e->string);
            return err(file, at, "unknown key in a search entry (choice, range, log, int, default)");
        }
    }
    if (!(p->path = strdup(path))) return err(file, path, "out of memory");
    if (choice && range) return err(file, path, "a search entry has \"choice\" or \"range\", not both");
    if (choice) {
        snprintf(at, sizeof at, "%s.choice", path);
        if (log || integer) return err(file, path, "\"log\" and \"int\" belong to a range, not a choice");
        if (!cJSON_IsArray(choice) || cJSON_GetArraySize(choice) == 0) return err(file, at, "expected a non-empty array");
        p->kind = GDL_PARAM_CHOICE;
        if (!(p->choices = calloc(cJSON_GetArraySize(choice), sizeof *p->choices))) return err(file, at, "out of memory");
        int i = 0;
        cJSON_ArrayForEach(e, choice) {
            snprintf(at, sizeof at, "%s.choice[%d]", path, i);
            if (gdl_config_is_search_entry(e)) return err(file, at, "a search entry inside a choice");
            if (repeat && (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > MAX_REPEAT ||
                           floor(e->valuedouble) != e->valuedouble))
                return err(file, at, "a repeat count is an integer 0..%d", MAX_REPEAT);
            if (!(p->choices[i] = print_value(e))) return err(file, at, "out of memory");
            for (int j = 0; j < i; j++)
                if (!strcmp(p->choices[j], p->choices[i])) return err(file, at, "listed twice");
            p->n_choices = ++i;
        }
        if (def) {
            snprintf(at, sizeof at, "%s.default", path);
            char *t = print_value(def);
            int found = -1;
            for (int j = 0; t && j < p->n_choices; j++)
                if (!strcmp(p->choices[j], t)) found = j; // NOLINT(clang-analyzer-core.NonNullParamChecker): choices [0, n_choices) are set
            free(t);
            if (found < 0) return err(file, at, "not one of the choices");
            p->default_json = strdup(p->choices[found]);
        } else {
            p->default_json = strdup(p->choices[0]); // NOLINT(clang-analyzer-core.NonNullParamChecker): an empty choice is refused above
        }
        return p->default_json ? 0 : err(file, path, "out of memory");
    }
    snprintf(at, sizeof at, "%s.range", path);
    if (!cJSON_IsArray(range) || cJSON_GetArraySize(range) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(range, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(range, 1)))
        return err(file, at, "expected [low, high], two numbers");
    p->kind = GDL_PARAM_RANGE;
    p->lo = cJSON_GetArrayItem(range, 0)->valuedouble, p->hi = cJSON_GetArrayItem(range, 1)->valuedouble;
    if (log && !cJSON_IsBool(log)) return snprintf(at, sizeof at, "%s.log", path), err(file, at, "expected true or false");
    if (integer && !cJSON_IsBool(integer)) return snprintf(at, sizeof at, "%s.int", path), err(file, at, "expected true or false");
    p->log = cJSON_IsTrue(log), p->integer = cJSON_IsTrue(integer) || repeat;
    if (!isfinite(p->lo) || !isfinite(p->hi) || !(p->lo < p->hi)) return err(file, at, "expected low < high, both finite");
    if (p->log && p->lo <= 0) return err(file, at, "a log range needs low > 0");
    if (p->integer && (floor(p->lo) != p->lo || floor(p->hi) != p->hi)) return err(file, at, "an integer range needs integer bounds");
    if (repeat && (p->lo < 0 || p->hi > MAX_REPEAT)) return err(file, at, "a repeat count is an integer 0..%d", MAX_REPEAT);
    if (def) {
        snprintf(at, sizeof at, "%s.default", path);
        if (!cJSON_IsNumber(def) || def->valuedouble < p->lo || def->valuedouble > p->hi ||
            (p->integer && floor(def->valuedouble) != def->valuedouble))
            return err(file, at, "expected a%s number within the range", p->integer ? "n integer" : "");
        p->default_json = format_number(def->valuedouble, p->integer);
    } else {
        p->default_json = range_text(p, p->log ? sqrt(p->lo * p->hi) : (p->lo + p->hi) / 2);
    }
    return p->default_json ? 0 : err(file, path, "out of memory");
}

typedef struct {
    const char *file;
    gdl_param_t *params;
    int n, cap;
} collect_t;

static gdl_param_t *new_param(collect_t *k)
{
    if (k->n == k->cap) {
        int cap = k->cap ? 2 * k->cap : 16;
        gdl_param_t *p = realloc(k->params, cap * sizeof *p);
        if (!p) return NULL;
        k->params = p, k->cap = cap;
    }
    memset(&k->params[k->n], 0, sizeof k->params[0]);
    return &k->params[k->n++];
}

/* Where "repeat" may stand: on an element of the top-level layers array, which is then a layer
 * or a block {"repeat", "layers"}. in_block: inside a block's layers (no repeat, no blocks). */
static int collect(collect_t *k, const cJSON *node, const char *path, int layers_level, int in_block)
{
    const cJSON *c;
    int i = 0;
    cJSON_ArrayForEach(c, node) {
        char p[512];
        gdl_config_child_path(p, sizeof p, path, node, c, i++);
        int is_layer = layers_level && cJSON_IsArray(node);
        if (is_layer && cJSON_IsObject(c)) {
            const cJSON *rep = cJSON_GetObjectItemCaseSensitive(c, "repeat");
            const cJSON *block = cJSON_GetObjectItemCaseSensitive(c, "layers");
            char rp[600];
            snprintf(rp, sizeof rp, "%s.repeat", p);
            if ((rep || block) && in_block) return err(k->file, p, "a block's layers repeat with the block, not alone");
            if (block) {
                const cJSON *e;
                cJSON_ArrayForEach(e, c) {
                    if (strcmp(e->string, "repeat") && strcmp(e->string, "layers"))
                        return err(k->file, p, "a block has \"repeat\" and \"layers\" only, not \"%s\"", e->string);
                }
                char bp[600];
                snprintf(bp, sizeof bp, "%s.layers", p);
                if (!cJSON_IsArray(block) || cJSON_GetArraySize(block) == 0) return err(k->file, bp, "expected a non-empty array");
            }
            if (rep) {
                if (gdl_config_is_search_entry(rep)) {
                    gdl_param_t *q = new_param(k);
                    if (!q) return err(k->file, rp, "out of memory");
                    if (parse_entry(k->file, rep, rp, 1, q) != 0) return -1;
                } else if (!cJSON_IsNumber(rep) || rep->valuedouble < 0 || rep->valuedouble > MAX_REPEAT ||
                           floor(rep->valuedouble) != rep->valuedouble) {
                    return err(k->file, rp, "a repeat count is an integer 0..%d or a search entry", MAX_REPEAT);
                }
            }
            const cJSON *e;
            int j = 0;
            cJSON_ArrayForEach(e, c) { // the layer's (or block's) own values, in order
                char ep[600];
                gdl_config_child_path(ep, sizeof ep, p, c, e, j++);
                if (!strcmp(e->string, "repeat")) continue;
                if (!strcmp(e->string, "layers") && block) {
                    if (collect(k, e, ep, 1, 1) != 0) return -1;
                    continue;
                }
                if (gdl_config_is_search_entry(e)) {
                    gdl_param_t *q = new_param(k);
                    if (!q) return err(k->file, ep, "out of memory");
                    if (parse_entry(k->file, e, ep, 0, q) != 0) return -1;
                } else if (collect(k, e, ep, 0, in_block) != 0) {
                    return -1;
                }
            }
            continue;
        }
        if (cJSON_IsObject(node) && !strcmp(c->string, "repeat"))
            return err(k->file, p, "only a layer or a block of layers repeats");
        if (gdl_config_is_search_entry(c)) {
            if (cJSON_IsObject(node) && !strcmp(c->string, "description"))
                return err(k->file, p, "the description is text, not a search entry");
            gdl_param_t *q = new_param(k);
            if (!q) return err(k->file, p, "out of memory");
            if (parse_entry(k->file, c, p, 0, q) != 0) return -1;
            continue;
        }
        int top_layers = !*path && cJSON_IsObject(node) && !strcmp(c->string, "layers");
        if (collect(k, c, p, top_layers, in_block) != 0) return -1;
    }
    return 0;
}

/* ---- resolving ---------------------------------------------------------------------------- */

/* Puts value v (parsed from text) where old stands under parent, under old's key. */
static int replace_with(cJSON *parent, cJSON *old, const char *text)
{
    cJSON *v = cJSON_Parse(text);
    if (!v) return -1;
    if (old->string && !(v->string = strdup(old->string))) return cJSON_Delete(v), -1;
    if (!cJSON_ReplaceItemViaPointer(parent, old, v)) return cJSON_Delete(v), -1;
    return 0;
}

/* Replaces every search entry and entry-valued repeat under node, in collect's order. */
static int substitute(cJSON *node, char *const *values, int *next, int layers_level, int is_root)
{
    cJSON *c = node ? node->child : NULL;
    while (c) {
        cJSON *after = c->next;
        if (layers_level && cJSON_IsArray(node) && cJSON_IsObject(c)) {
            cJSON *rep = cJSON_GetObjectItemCaseSensitive(c, "repeat");
            if (rep && gdl_config_is_search_entry(rep) && replace_with(c, rep, values[(*next)++]) != 0) return -1;
            for (cJSON *e = c->child, *en; e; e = en) {
                en = e->next;
                if (!strcmp(e->string, "repeat")) continue;
                if (gdl_config_is_search_entry(e)) {
                    if (replace_with(c, e, values[(*next)++]) != 0) return -1;
                } else if (substitute(e, values, next, !strcmp(e->string, "layers"), 0) != 0) {
                    return -1;
                }
            }
        } else if (gdl_config_is_search_entry(c)) {
            if (replace_with(node, c, values[(*next)++]) != 0) return -1;
        } else if (substitute(c, values, next, is_root && !strcmp(c->string, "layers"), 0) != 0) {
            return -1;
        }
        c = after;
    }
    return 0;
}

typedef struct {
    char **from, **to; // to NULL: the layer is gone (a block repeated 0 times)
    int n, cap;
} rename_t;

static void rename_free(rename_t *r)
{
    for (int i = 0; i < r->n; i++) free(r->from[i]), free(r->to[i]);
    free(r->from), free(r->to);
}

static int rename_add(rename_t *r, const char *from, const char *to)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        char **f = realloc(r->from, cap * sizeof *f);
        if (!f) return -1;
        r->from = f;
        char **t = realloc(r->to, cap * sizeof *t);
        if (!t) return -1;
        r->to = t, r->cap = cap;
    }
    r->from[r->n] = strdup(from), r->to[r->n] = to ? strdup(to) : NULL;
    if (!r->from[r->n] || (to && !r->to[r->n])) return free(r->from[r->n]), free(r->to[r->n]), -1;
    r->n++;
    return 0;
}

/* The latest renaming of name, or name itself; *gone when its block was left out. */
static const char *renamed(const rename_t *r, const char *name, int *gone)
{
    *gone = 0;
    for (int i = r->n - 1; i >= 0; i--)
        if (!strcmp(r->from[i], name)) {
            *gone = !r->to[i];
            return r->to[i];
        }
    return name;
}

/* Rewrites a string (or each string of an array) through map; -1 naming a left-out layer. */
static int rewrite_names(const char *file, cJSON *v, const rename_t *map, const char *where)
{
    cJSON *items = cJSON_IsArray(v) ? v->child : v;
    for (cJSON *s = items; s; s = cJSON_IsArray(v) ? s->next : NULL) {
        if (!cJSON_IsString(s)) continue;
        int gone;
        const char *to = renamed(map, s->valuestring, &gone);
        if (gone) return err(file, where, "reads '%s', a layer of a block repeated 0 times", s->valuestring);
        if (to != s->valuestring && !cJSON_SetValuestring(s, to)) return err(file, where, "out of memory");
    }
    return 0;
}

static cJSON *layer_input(cJSON *layer)
{
    cJSON *in = cJSON_GetObjectItemCaseSensitive(layer, "input");
    return in ? in : cJSON_GetObjectItemCaseSensitive(layer, "inputs");
}

static const char *layer_name(const cJSON *layer)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(layer, "name");
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* Appends R copies of the block's layers to out and records, in map, where later layers find
 * them. */
static int expand_block(const char *file, const char *where, cJSON *block, int R, cJSON *out, rename_t *map)
{
    int m = cJSON_GetArraySize(block);
    cJSON *first = cJSON_GetArrayItem(block, 0);
    const cJSON *in0 = layer_input(first);
    const char *x = cJSON_IsString(in0) ? in0->valuestring : NULL;
    if ((R == 0 || R > 1) && !x) return err(file, where, "a block repeated 0 or several times needs its first layer to read one input");
    for (int j = 0; j < m; j++)
        if (!layer_name(cJSON_GetArrayItem(block, j))) return err(file, where, "a layer of the block has no name");
    rename_t local = {0}; // block names -> this copy's names
    char prev_last[200] = "";
    int rc = -1;
    for (int k = 1; k <= R; k++) {
        rename_free(&local), memset(&local, 0, sizeof local);
        for (int j = 0; j < m; j++) {
            const char *nm = layer_name(cJSON_GetArrayItem(block, j));
            char to[200];
            snprintf(to, sizeof to, k == 1 ? "%s" : "%s_%d", nm, k);
            if (rename_add(&local, nm, to) != 0) goto oom;
        }
        if (k > 1 && rename_add(&local, x, prev_last) != 0) goto oom; // the chain: copy k reads copy k - 1
        for (int j = 0; j < m; j++) {
            cJSON *l = cJSON_Duplicate(cJSON_GetArrayItem(block, j), 1);
            if (!l) goto oom;
            cJSON_AddItemToArray(out, l);
            cJSON *in = layer_input(l);
            if (in) {
                // a copy's own names first, then what the map says of layers before the block
                cJSON *items = cJSON_IsArray(in) ? in->child : in;
                for (cJSON *s = items; s; s = cJSON_IsArray(in) ? s->next : NULL) {
                    if (!cJSON_IsString(s)) continue;
                    int gone, own = 0;
                    for (int q = 0; q < local.n; q++) own |= !strcmp(local.from[q], s->valuestring);
                    const char *to = own ? renamed(&local, s->valuestring, &gone) : renamed(map, s->valuestring, &gone);
                    if (gone) {
                        err(file, where, "reads '%s', a layer of a block repeated 0 times", s->valuestring);
                        goto out;
                    }
                    if (to != s->valuestring && !cJSON_SetValuestring(s, to)) goto oom;
                }
            }
            cJSON *name = cJSON_GetObjectItemCaseSensitive(l, "name");
            int gone;
            const char *to = renamed(&local, name->valuestring, &gone);
            if (to != name->valuestring && !cJSON_SetValuestring(name, to)) goto oom;
            if (j == m - 1) snprintf(prev_last, sizeof prev_last, "%s", to);
        }
    }
    // later layers: each block name is its last copy's (a block left out: only its last layer
    // stands for its input)
    for (int j = 0; j < m; j++) {
        const char *nm = layer_name(cJSON_GetArrayItem(block, j));
        char to[200];
        if (R == 0) {
            int gone;
            const char *xx = renamed(map, x, &gone);
            if (rename_add(map, nm, j == m - 1 && !gone ? xx : NULL) != 0) goto oom;
            continue;
        }
        snprintf(to, sizeof to, R == 1 ? "%s" : "%s_%d", nm, R);
        if (rename_add(map, nm, to) != 0) goto oom;
    }
    rc = 0;
    goto out;
oom:
    err(file, where, "out of memory");
out:
    rename_free(&local);
    return rc;
}

/* The layers array with every repeat expanded; later references, output.layer and
 * training.linear_by_cd follow the renaming. */
static int expand_layers(const char *file, cJSON *root)
{
    cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    if (!cJSON_IsArray(layers)) return 0; // gdl_config_load says what is wrong
    cJSON *out = cJSON_CreateArray();
    rename_t map = {0};
    int i = 0, rc = -1;
    if (!out) return err(file, "layers", "out of memory");
    for (cJSON *l = layers->child; l; l = l->next, i++) {
        char where[64];
        snprintf(where, sizeof where, "layers[%d]", i);
        cJSON *rep = cJSON_IsObject(l) ? cJSON_GetObjectItemCaseSensitive(l, "repeat") : NULL;
        cJSON *block = cJSON_IsObject(l) ? cJSON_GetObjectItemCaseSensitive(l, "layers") : NULL;
        if (!rep && !block) {
            cJSON *c = cJSON_Duplicate(l, 1);
            if (!c) goto oom;
            cJSON_AddItemToArray(out, c);
            cJSON *in = cJSON_IsObject(c) ? layer_input(c) : NULL;
            if (in && rewrite_names(file, in, &map, where) != 0) goto out;
            continue;
        }
        int R = rep ? (int)rep->valuedouble : 1;
        cJSON *one = NULL;
        if (!block) { // a single layer that repeats: a block of one
            if (!(one = cJSON_CreateArray())) goto oom;
            cJSON *c = cJSON_Duplicate(l, 1);
            if (!c) {
                cJSON_Delete(one);
                goto oom;
            }
            cJSON_DeleteItemFromObjectCaseSensitive(c, "repeat");
            cJSON_AddItemToArray(one, c);
            block = one;
        }
        int r = expand_block(file, where, block, R, out, &map);
        cJSON_Delete(one);
        if (r != 0) goto out;
    }
    cJSON *output = cJSON_GetObjectItemCaseSensitive(root, "output");
    cJSON *ol = cJSON_IsObject(output) ? cJSON_GetObjectItemCaseSensitive(output, "layer") : NULL;
    if (ol && rewrite_names(file, ol, &map, "output.layer") != 0) goto out;
    cJSON *training = cJSON_GetObjectItemCaseSensitive(root, "training");
    cJSON *lin = cJSON_IsObject(training) ? cJSON_GetObjectItemCaseSensitive(training, "linear_by_cd") : NULL;
    if (lin && rewrite_names(file, lin, &map, "training.linear_by_cd") != 0) goto out;
    if (!cJSON_ReplaceItemInObjectCaseSensitive(root, "layers", out)) goto oom;
    out = NULL;
    rc = 0;
    goto out;
oom:
    err(file, "layers", "out of memory");
out:
    cJSON_Delete(out);
    rename_free(&map);
    return rc;
}

char *gdl_space_resolve(const gdl_space_t *s, char *const *values)
{
    cJSON *root = cJSON_Duplicate(s->tree, 1);
    int next = 0;
    char *text = NULL;
    if (!root || substitute(root, values, &next, 0, 1) != 0 || next != s->n_params) {
        if (!*gdl_last_error() || next != s->n_params) gdl_log_error("%s: cannot substitute the search values", s->path);
        goto out;
    }
    if (expand_layers(s->path, root) != 0) goto out;
    if (!(text = cJSON_PrintUnformatted(root))) gdl_log_error("out of memory");
out:
    cJSON_Delete(root);
    return text;
}

/* ---- values ------------------------------------------------------------------------------- */

void gdl_space_values_free(const gdl_space_t *s, char **values)
{
    if (!values) return;
    for (int i = 0; i < s->n_params; i++) free(values[i]);
    free(values);
}

static char **new_values(const gdl_space_t *s)
{
    char **v = calloc(s->n_params ? s->n_params : 1, sizeof *v);
    if (!v) gdl_log_error("out of memory");
    return v;
}

int gdl_space_sample(const gdl_space_t *s, uint64_t seed, int64_t t, char ***values)
{
    char **v = new_values(s);
    gdl_rng_t rng;
    if (!v) return -1;
    gdl_rng_init(&rng, seed, STREAM_TRIAL + (uint64_t)t);
    for (int i = 0; i < s->n_params; i++) {
        const gdl_param_t *p = &s->params[i];
        if (t == 0) v[i] = strdup(p->default_json);
        else if (p->kind == GDL_PARAM_CHOICE) v[i] = strdup(p->choices[gdl_rng_below(&rng, (uint64_t)p->n_choices)]);
        else if (p->integer && !p->log)
            v[i] = format_number(p->lo + (double)gdl_rng_below(&rng, (uint64_t)(p->hi - p->lo + 1)), 1);
        else if (p->integer) // log-uniform over [lo, hi + 1), floored
            v[i] = format_number(fmin(p->hi, floor(exp(log(p->lo) + gdl_rng_uniform(&rng) * (log(p->hi + 1) - log(p->lo))))), 1);
        else {
            double u = gdl_rng_uniform(&rng);
            v[i] = range_text(p, p->log ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo))) : p->lo + u * (p->hi - p->lo));
        }
        if (!v[i]) {
            gdl_space_values_free(s, v);
            gdl_log_error("out of memory");
            return -1;
        }
    }
    *values = v;
    return 0;
}

/* Parameter p's grid values: the choices, or `points` values of the range (integers deduplicated);
 * with out NULL only the count. */
static int grid_values(const gdl_param_t *p, int points, char **out)
{
    if (p->kind == GDL_PARAM_CHOICE) {
        for (int j = 0; out && j < p->n_choices; j++) out[j] = p->choices[j];
        return p->n_choices;
    }
    if (points < 2) {
        if (out) out[0] = p->default_json;
        return 1;
    }
    int n = 0;
    double last = NAN;
    static char buf[64][64]; // at most 64 grid points per range (gdl tune checks --grid-points)
    for (int j = 0; j < points && j < 64; j++) {
        double f = (double)j / (points - 1);
        double v = p->log ? exp(log(p->lo) + f * (log(p->hi) - log(p->lo))) : p->lo + f * (p->hi - p->lo);
        if (p->integer) v = floor(v + 0.5);
        if (p->integer && v == last) continue;
        last = v;
        if (out) {
            char *t = range_text(p, v);
            snprintf(buf[n], sizeof buf[n], "%s", t ? t : "0");
            free(t);
            out[n] = buf[n];
        }
        n++;
    }
    return n;
}

int64_t gdl_space_grid_size(const gdl_space_t *s, int points)
{
    int64_t n = 1;
    for (int i = 0; i < s->n_params; i++) {
        int64_t c = grid_values(&s->params[i], points, NULL);
        n = n > INT64_MAX / 2 / c ? INT64_MAX / 2 : n * c;
    }
    return n;
}

int gdl_space_grid(const gdl_space_t *s, int points, int64_t k, char ***values)
{
    char **v = new_values(s), *opts[64];
    if (!v) return -1;
    for (int i = s->n_params - 1; i >= 0; i--) { // the last parameter varies fastest
        int n = grid_values(&s->params[i], points, NULL);
        if (n < 1) { // a choice of nothing is refused when the space is read
            gdl_space_values_free(s, v);
            gdl_log_error("internal: parameter %d has no grid values", i);
            return -1;
        }
        char **all = s->params[i].kind == GDL_PARAM_CHOICE ? s->params[i].choices : opts;
        if (all == opts) grid_values(&s->params[i], points, opts);
        if (!(v[i] = strdup(all[k % n]))) {
            gdl_space_values_free(s, v);
            gdl_log_error("out of memory");
            return -1;
        }
        k /= n;
    }
    *values = v;
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Resolves the values and checks the config; "with PATH = VALUE" says which value broke it. */
static int check_values(const gdl_space_t *s, char *const *values, int changed)
{
    char *json = gdl_space_resolve(s, values);
    gdl_config_t *c = NULL;
    if (json) {
        char name[1024];
        if (changed < 0) snprintf(name, sizeof name, "%s (its defaults)", s->path);
        else snprintf(name, sizeof name, "%s (with %s = %.200s)", s->path, s->params[changed].path, values[changed]);
        c = gdl_config_load(name, json);
    }
    free(json);
    gdl_config_free(c);
    return c ? 0 : -1;
}

static int check_space(const gdl_space_t *s)
{
    char **v = NULL;
    int rc = -1;
    if (gdl_space_sample(s, 0, 0, &v) != 0) return -1;
    if (check_values(s, v, -1) != 0) goto out;
    for (int i = 0; i < s->n_params; i++) {
        const gdl_param_t *p = &s->params[i];
        char *keep = v[i], *bounds[2] = {NULL, NULL};
        int n = p->kind == GDL_PARAM_CHOICE ? p->n_choices : 2;
        if (p->kind == GDL_PARAM_RANGE)
            bounds[0] = format_number(p->lo, p->integer), bounds[1] = format_number(p->hi, p->integer);
        int bad = 0;
        for (int j = 0; j < n && !bad; j++) {
            v[i] = p->kind == GDL_PARAM_CHOICE ? p->choices[j] : bounds[j];
            bad = !v[i] || check_values(s, v, i) != 0;
        }
        v[i] = keep;
        free(bounds[0]), free(bounds[1]);
        if (bad) goto out;
    }
    rc = 0;
out:
    gdl_space_values_free(s, v);
    return rc;
}

gdl_space_t *gdl_space_load(const char *path)
{
    gdl_space_t *s = calloc(1, sizeof *s);
    char *buf = NULL;
    if (!s || !(s->path = strdup(path))) {
        gdl_log_error("out of memory");
        goto fail;
    }
    if (!(buf = gdl_config_read_file(path))) goto fail;
    cJSON *root = cJSON_Parse(buf);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = buf; at && p < at; p++) line += *p == '\n';
        gdl_log_error("%s:%d: not valid JSON", path, line);
        goto fail;
    }
    s->tree = root;
    if (!cJSON_IsObject(root)) {
        err(path, "", "expected a JSON object");
        goto fail;
    }
    collect_t k = {.file = path};
    int rc = collect(&k, root, "", 0, 0);
    s->params = k.params, s->n_params = k.n;
    if (rc != 0 || check_space(s) != 0) goto fail;
    free(buf);
    return s;
fail:
    free(buf);
    gdl_space_free(s);
    return NULL;
}

void gdl_space_free(gdl_space_t *s)
{
    if (!s) return;
    for (int i = 0; i < s->n_params; i++) {
        gdl_param_t *p = &s->params[i];
        free(p->path);
        for (int j = 0; j < p->n_choices; j++) free(p->choices[j]);
        free(p->choices);
        free(p->default_json);
    }
    free(s->params);
    cJSON_Delete(s->tree);
    free(s->path);
    free(s);
}
