/* iter_parse.c — the ${...} syntax inside one value: literal text around
 * iterations; lists, quoted items, ranges, names, references, lockstep
 * (README "Sweep syntax"). Names are only recorded here; resolve.c ties them
 * together once the whole file and every --vary are read. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"

int sw_is_name(const char *text, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)text[0]) || text[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)text[i]) || text[i] == '_'))
            return 0;
    return 1;
}

/* Narrows text[0..*len) (moving *text) to drop blanks at both ends. */
static void trim(const char **text, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**text)) {
        (*text)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*text)[*len - 1]))
        (*len)--;
}

/* Position of the first c in text[0..len) outside double quotes, or len. */
static size_t find_unquoted(const char *text, size_t len, char c)
{
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (!quoted && text[i] == c)
            return i;
    }
    return len;
}

/* ---- numbers and ranges ------------------------------------------------ */

/* A whole finite number; *is_int when it is also an integer written without
 * point or exponent (and small enough that doubles hold it exactly). */
static int parse_number(const char *text, double *v, int *is_int)
{
    char *end;
    if (!*text || isspace((unsigned char)*text))
        return -1;
    *v = strtod(text, &end);
    if (end == text || *end || !isfinite(*v))
        return -1;
    long long i = strtoll(text, &end, 10);
    *is_int = !*end && llabs(i) <= 1000000000000000LL;
    return 0;
}

/* Number of values of from..to by step (the end kept within 1e-9 of a step,
 * so that decimal steps reach it), or -1 with err. */
static long range_count(double from, double to, double step, const char *where,
                        struct tc_error *err)
{
    if (step == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: the step is 0", where);
    double d = (to - from) / step;
    if (d < -1e-9)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: a step of %.15g never goes from %.15g to %.15g",
                       where, step, from, to);
    if (!(d + 1 <= SW_MAX_RANGE))
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: more than %ld values", where, SW_MAX_RANGE);
    return (long)floor(d + 1e-9) + 1;
}

int sw_expand_range(const char *from, const char *to, const char *step, const char *where,
                    struct sw_strs *out, struct tc_error *err)
{
    const char *text[3] = {from, to, step};
    double v[3];
    int is_int[3];
    for (int i = 0; i < 3; i++)
        if (parse_number(text[i], &v[i], &is_int[i]) != 0)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: '%s' is not a number", where, text[i]);
    long n = range_count(v[0], v[1], v[2], where, err);
    if (n < 0)
        return -1;
    int integers = is_int[0] && is_int[1] && is_int[2];
    for (long i = 0; i < n; i++) {
        char buf[64]; /* a number we format, not input text */
        int len;
        if (integers) {
            len = snprintf(buf, sizeof buf, "%lld", (long long)v[0] + i * (long long)v[2]);
        } else {
            /* Computed, not accumulated: 0.1 + 2*0.1 prints as 0.3. */
            double x = v[0] + (double)i * v[2];
            len = snprintf(buf, sizeof buf, "%.15g", x == 0 ? 0.0 : x);
        }
        if (sw_strs_add(out, buf, (size_t)len) != 0)
            return sw_oom(err);
    }
    return 0;
}

/* ---- one ${...} ---------------------------------------------------------- */

/* FROM..TO [step STEP] (spec holds ".." outside quotes). */
static int parse_range(const char *spec, size_t len, const char *where, struct sw_strs *out,
                       struct tc_error *err)
{
    const char *dots = strstr(spec, "..");
    size_t fl = (size_t)(dots - spec);
    const char *rest = dots + 2;
    size_t rl = len - fl - 2;
    const char *kw = NULL;
    for (size_t i = 0; i + 4 <= rl; i++)
        if (memcmp(rest + i, "step", 4) == 0) {
            kw = rest + i;
            break;
        }
    size_t tl = kw ? (size_t)(kw - rest) : rl;
    const char *st = kw ? kw + 4 : "1";
    size_t sl = kw ? rl - tl - 4 : 1;
    trim(&spec, &fl);
    trim(&rest, &tl);
    trim(&st, &sl);
    char *f = strndup(spec, fl), *t = strndup(rest, tl), *s = strndup(st, sl);
    int rc = f && t && s ? sw_expand_range(f, t, s, where, out, err) : sw_oom(err);
    free(f);
    free(t);
    free(s);
    return rc;
}

/* One list item: trimmed; "..." keeps commas and blanks, quotes removed. */
static int parse_item(const char *item, size_t len, const char *where, struct sw_strs *out,
                      struct tc_error *err)
{
    trim(&item, &len);
    if (len == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: empty item", where);
    if (item[0] == '"') {
        const char *close = memchr(item + 1, '"', len - 1);
        if (!close)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: a quote is not closed", where);
        if (close != item + len - 1)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: text after the closing quote of %.*s",
                           where, (int)(close - item + 1), item);
        return sw_strs_add(out, item + 1, len - 2) == 0 ? 0 : sw_oom(err);
    }
    if (memchr(item, '"', len))
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: a quote inside the item %.*s (quote the "
                       "whole item)", where, (int)len, item);
    return sw_strs_add(out, item, len) == 0 ? 0 : sw_oom(err);
}

/* The values of a list, a range or one item. */
static int parse_values(const char *spec, size_t len, const char *where, struct sw_strs *out,
                        struct tc_error *err)
{
    if (len == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: empty item", where);
    size_t comma = find_unquoted(spec, len, ',');
    if (comma == len && spec[0] != '"' && strstr(spec, ".."))
        return parse_range(spec, len, where, out, err);
    for (;;) {
        if (parse_item(spec, comma, where, out, err) != 0)
            return -1;
        if (comma == len)
            return 0;
        spec += comma + 1;
        len -= comma + 1;
        comma = find_unquoted(spec, len, ',');
    }
}

/* Takes "NAME =" off the front of *spec into it->name. */
static int take_name(struct sw_iter *it, const char **spec, size_t *len)
{
    size_t n = 0;
    while (n < *len && (isalnum((unsigned char)(*spec)[n]) || (*spec)[n] == '_'))
        n++;
    size_t eq = n;
    while (eq < *len && isspace((unsigned char)(*spec)[eq]))
        eq++;
    if (!sw_is_name(*spec, n) || eq == *len || (*spec)[eq] != '=')
        return 0;
    if (!(it->name = strndup(*spec, n)))
        return -1;
    *spec += eq + 1;
    *len -= eq + 1;
    trim(spec, len);
    return 0;
}

/* Takes "! NAME" off the end of *spec into it->lockstep. */
static int take_lockstep(struct sw_iter *it, const char *spec, size_t *len, const char *where,
                         struct tc_error *err)
{
    size_t bang = find_unquoted(spec, *len, '!');
    if (bang == *len)
        return 0;
    const char *target = spec + bang + 1;
    size_t tl = *len - bang - 1;
    trim(&target, &tl);
    if (!sw_is_name(target, tl))
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: '!' must be followed by the name of an "
                       "iteration (quote an item that holds a '!')", where);
    if (!(it->lockstep = strndup(target, tl)))
        return sw_oom(err);
    *len = bang;
    trim(&spec, len);
    return 0;
}

/* body[0..len) is the text between ${ and }; where names it in messages. */
static int parse_body(struct sw_iter *it, const char *body, size_t len, const char *where,
                      struct tc_error *err)
{
    trim(&body, &len);
    if (len == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: empty item", where);
    if (sw_is_name(body, len)) {
        it->is_ref = 1;
        return (it->name = strndup(body, len)) ? 0 : sw_oom(err);
    }
    if (take_name(it, &body, &len) != 0)
        return sw_oom(err);
    if (take_lockstep(it, body, &len, where, err) != 0)
        return -1;
    char *spec = strndup(body, len); /* NUL-terminated for strstr */
    if (!spec)
        return sw_oom(err);
    int rc = parse_values(spec, len, where, &it->vals, err);
    free(spec);
    return rc;
}

/* ---- a key's value ------------------------------------------------------- */

static int add_part(struct sw_key *key, size_t off, size_t len, int iter)
{
    size_t cap = (size_t)key->nparts;
    if (tc_resize((void **)&key->parts, cap + 1, sizeof *key->parts) != 0)
        return -1;
    key->parts[key->nparts++] = (struct sw_part){off, len, iter};
    return 0;
}

/* Appends a fresh iteration of key k; its index, or -1. */
static int new_iter(struct sweep_space *sp, int k)
{
    if (tc_reserve((void **)&sp->iters, &sp->iters_cap, (size_t)sp->niters + 1,
                   sizeof *sp->iters) != 0)
        return -1;
    sp->iters[sp->niters] = (struct sw_iter){.key = k, .target = -1, .loop = -1};
    return sp->niters++;
}

/* End of the ${ at templ[start] (the index of its }), or -1 with err. */
static long find_close(const char *templ, size_t start, const char *where, struct tc_error *err)
{
    int quoted = 0;
    for (size_t j = start + 2; templ[j]; j++) {
        if (templ[j] == '"')
            quoted = !quoted;
        else if (!quoted && templ[j] == '$' && templ[j + 1] == '{')
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: ${ inside ${ (column %zu)", where, j + 1);
        else if (!quoted && templ[j] == '}')
            return (long)j;
    }
    return tc_fail(err, TC_EXIT_SCENARIO, "%s: ${ without } (column %zu)", where, start + 1);
}

/* The ${...} at templ[start..close] as iteration of key k. */
static int parse_iteration(struct sweep_space *sp, int k, size_t start, size_t close,
                           struct tc_error *err)
{
    struct sw_key *key = &sp->keys[k];
    int i = new_iter(sp, k);
    if (i < 0 || add_part(key, 0, 0, i) != 0)
        return sw_oom(err);
    char *what = sw_aprintf("%s: %.*s", key->where, (int)(close - start + 1), key->templ + start);
    if (!what)
        return sw_oom(err);
    int rc = parse_body(&sp->iters[i], key->templ + start + 2, close - start - 2, what, err);
    free(what);
    return rc;
}

/* Splits key k's value into literal parts and iterations. */
static int parse_template(struct sweep_space *sp, int k, struct tc_error *err)
{
    const char *templ = sp->keys[k].templ;
    size_t lit = 0, i = 0;
    while (templ[i]) {
        if (templ[i] != '$' || templ[i + 1] != '{') {
            i++;
            continue;
        }
        if (i > lit && add_part(&sp->keys[k], lit, i - lit, -1) != 0)
            return sw_oom(err);
        long close = find_close(templ, i, sp->keys[k].where, err);
        if (close < 0 || parse_iteration(sp, k, i, (size_t)close, err) != 0)
            return -1;
        i = lit = (size_t)close + 1;
    }
    if (i > lit && add_part(&sp->keys[k], lit, i - lit, -1) != 0)
        return sw_oom(err);
    return 0;
}

/* A key given twice: by the file twice, or by --vary again. */
static int refuse_duplicate(const struct sweep_space *sp, const char *name, const char *where,
                            int from_vary, struct tc_error *err)
{
    int k = sw_find_key(sp, name, strlen(name));
    if (k < 0)
        return 0;
    const struct sw_key *old = &sp->keys[k];
    if (!from_vary)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s is set twice (first at %s)", where, name,
                       old->where);
    if (!old->from_vary)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s is already iterated at %s", where, name,
                       old->where);
    return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s is already varied by %s", where, name,
                   old->where);
}

int sw_add_key(struct sweep_space *sp, const char *name, const char *value, const char *where,
               int from_vary, struct tc_error *err)
{
    if (refuse_duplicate(sp, name, where, from_vary, err) != 0)
        return -1;
    if (tc_reserve((void **)&sp->keys, &sp->keys_cap, (size_t)sp->nkeys + 1, sizeof *sp->keys))
        return sw_oom(err);
    struct sw_key *key = &sp->keys[sp->nkeys++];
    *key = (struct sw_key){.from_vary = from_vary, .loop = -1};
    key->name = strdup(name);
    key->where = strdup(where);
    key->templ = strdup(value);
    if (!key->name || !key->where || !key->templ)
        return sw_oom(err);
    return parse_template(sp, sp->nkeys - 1, err);
}
