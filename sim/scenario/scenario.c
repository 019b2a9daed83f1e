/* scenario.c — INI scenario files via libinih (see scenario.h). */
#include "towncov/scenario.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/outdir.h"
#include "towncov/inifile.h"
#include "towncov/textenc.h"

static const struct key_desc info_keys[] = {
    {"scenario", "name", KEY_STRING, offsetof(struct scenario_info, name), 0, 0, NULL,
     "unnamed", "", "name of the scenario; names the default output folder out/<name>/"},
    {"scenario", "seed", KEY_INT, offsetof(struct scenario_info, seed), 0, 9.007199254740992e15,
     NULL, "1", "", "seed of every random choice (site placement); same seed, same results"},
};

/* One table of keys and where its struct sits inside struct scenario. */
struct key_table {
    const struct key_desc *keys;
    const int *count;
    size_t base;
};

static const int info_nkeys = (int)(sizeof info_keys / sizeof info_keys[0]);

static const struct key_table tables[] = {
    {info_keys, &info_nkeys, offsetof(struct scenario, info)},
    {map_keys, &map_nkeys, offsetof(struct scenario, map)},
    {seat_keys, &seat_nkeys, offsetof(struct scenario, seat)},
    {sites_keys, &sites_nkeys, offsetof(struct scenario, sites)},
    {radio_keys, &radio_nkeys, offsetof(struct scenario, radio)},
    {cov_keys, &cov_nkeys, offsetof(struct scenario, coverage)},
    {goal_keys, &goal_nkeys, offsetof(struct scenario, goal)},
    {output_keys, &output_nkeys, offsetof(struct scenario, output)},
    {raster_keys, &raster_nkeys, offsetof(struct scenario, raster)},
    {terrain_keys, &terrain_nkeys, offsetof(struct scenario, terrain)},
    {sweep_keys, &sweep_nkeys, offsetof(struct scenario, sweep)},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

static int section_known(const char *section)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++)
            if (strcmp(tables[t].keys[k].section, section) == 0)
                return 1;
    return 0;
}

static const struct key_desc *find_key(const char *section, const char *name, size_t *base)
{
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++) {
            const struct key_desc *d = &tables[t].keys[k];
            if (strcmp(d->section, section) == 0 && strcmp(d->name, name) == 0) {
                *base = tables[t].base;
                return d;
            }
        }
    return NULL;
}

/* Writes " (did you mean NAME?)" naming the section's key nearest to name
 * (as section.key when dotted), or "", into text (160 bytes); returns text. */
static const char *suggest_key(const char *section, const char *name, int dotted, char *text)
{
    const char *names[128];
    int n = 0;
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count && n < 128; k++)
            if (strcmp(tables[t].keys[k].section, section) == 0)
                names[n++] = tables[t].keys[k].name;
    const char *near = tc_closest(name, names, n);
    text[0] = '\0';
    if (near)
        snprintf(text, 160, " (did you mean %s%s%s?)", dotted ? section : "", dotted ? "." : "",
                 near);
    return text;
}

static int parse_bool(const char *v)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static void describe_choices(const struct key_desc *d, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; d->choices[i]; i++) {
        strncat(buf, i ? ", " : "", size - strlen(buf) - 1);
        strncat(buf, d->choices[i], size - strlen(buf) - 1);
    }
}

/* Stores text as the value of key d in the struct at dst. On error writes
 * the reason (without location) to why and returns -1. */
static int set_value(const struct key_desc *d, void *dst, const char *text, char *why,
                     size_t why_size)
{
    char *end;
    char *field = (char *)dst + d->offset;
    switch (d->type) {
    case KEY_INT: {
        /* Digits are read as an integer, exactly: as a double, 2^53 + 1
         * would round to 2^53 and pass a range that ends there. Other forms
         * (1e3, 1000.0) only below 2^52, where a double holds every half
         * unit, so that what is written is what is checked. */
        errno = 0;
        long long iv = strtoll(text, &end, 10);
        int digits = end != text && !*end;
        double v = (double)iv;
        if (!digits) {
            errno = 0;
            v = strtod(text, &end);
            if (end == text || *end || errno || !isfinite(v) || v != floor(v)) {
                snprintf(why, why_size, "%s.%s must be an integer, not '%s'", d->section,
                         d->name, text);
                return -1;
            }
            if (fabs(v) >= 0x1p52 && v >= d->min && v <= d->max) {
                snprintf(why, why_size, "%s.%s = %s: write an integer this large in digits",
                         d->section, d->name, text);
                return -1;
            }
        }
        int out = digits ? errno == ERANGE || (long double)iv < (long double)d->min ||
                               (long double)iv > (long double)d->max
                         : !(v >= d->min && v <= d->max);
        if (out) {
            snprintf(why, why_size, "%s.%s = %s is out of range [%.17g, %.17g]", d->section,
                     d->name, text, d->min, d->max);
            return -1;
        }
        *(long *)field = digits ? (long)iv : (long)v;
        return 0;
    }
    case KEY_DOUBLE: {
        errno = 0;
        double v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v)) {
            snprintf(why, why_size, "%s.%s must be a number, not '%s'", d->section, d->name,
                     text);
            return -1;
        }
        if (v < d->min || v > d->max) {
            snprintf(why, why_size, "%s.%s = %s is out of range [%g, %g]%s%s", d->section,
                     d->name, text, d->min, d->max, d->unit[0] ? " " : "", d->unit);
            return -1;
        }
        *(double *)field = v;
        return 0;
    }
    case KEY_BOOL: {
        int b = parse_bool(text);
        if (b < 0) {
            snprintf(why, why_size, "%s.%s must be yes or no, not '%s'", d->section, d->name,
                     text);
            return -1;
        }
        *(int *)field = b;
        return 0;
    }
    case KEY_ENUM:
        for (int i = 0; d->choices[i]; i++)
            if (strcmp(text, d->choices[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        char list[512];
        describe_choices(d, list, sizeof list);
        snprintf(why, why_size, "%s.%s must be one of %s, not '%s'", d->section, d->name, list,
                 text);
        return -1;
    case KEY_ENCODING: {
        char name[TEXTENC_NAME_MAX];
        if (strlen(text) >= TEXTENC_NAME_MAX || textenc_from_setting(text, name, sizeof name)) {
            snprintf(why, why_size, "%s.%s = %s: not an encoding iconv knows (auto, utf-8, gbk, "
                     "latin1, cp1252, big5...)", d->section, d->name, text);
            return -1;
        }
        __attribute__((fallthrough)); /* stored as written, as a string */
    }
    case KEY_PATH:
    case KEY_STRING:
        if (strlen(text) >= TC_STR_MAX) {
            snprintf(why, why_size, "%s.%s is longer than %d characters", d->section, d->name,
                     TC_STR_MAX - 1);
            return -1;
        }
        strcpy(field, text);
        return 0;
    }
    return -1;
}

void scenario_defaults(struct scenario *scn)
{
    memset(scn, 0, sizeof *scn);
    char why[256];
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++) {
            const struct key_desc *d = &tables[t].keys[k];
            /* Defaults are compiled in; a bad one is a programming error
             * caught by the tests (scenario/defaults_parse). */
            if (set_value(d, (char *)scn + tables[t].base, d->def, why, sizeof why) != 0)
                fprintf(stderr, "towncov: internal: bad default: %s\n", why);
        }
}

/* State of one ini_parse call: what the handler saw and its first error. */
struct parse_state {
    struct scenario *scn;
    int member;                          /* a sweep member's scenario, not a plain run */
    const struct scenario_value *values; /* the member's values */
    int n_values;
    char why[1024];
    unsigned char seen[16][256]; /* [table][key]: duplicate detection */
};

/* Whether text holds an iteration of `towncov sweep` (sweep_space.h). */
static int has_iteration(const char *text)
{
    return strstr(text, "${") != NULL;
}

/* The member value given for section.name, or NULL. */
static const struct scenario_value *member_value(const struct scenario_value *values, int n,
                                                 const char *section, const char *name)
{
    size_t ls = strlen(section);
    for (int i = 0; i < n; i++) {
        const char *k = values[i].key;
        if (strncmp(k, section, ls) == 0 && k[ls] == '.' && strcmp(k + ls + 1, name) == 0)
            return &values[i];
    }
    return NULL;
}

/* An iteration in the file: a sweep member's value replaces it later; a
 * plain run cannot run it. [sweep] keys are never iterations (the
 * constraint names variables as ${N}). */
static int on_iteration(struct parse_state *st, const char *section, const char *name,
                        const char *value)
{
    if (st->member && member_value(st->values, st->n_values, section, name))
        return 1;
    if (st->member)
        snprintf(st->why, sizeof st->why, "%s.%s = %s: an iteration the sweep did not expand",
                 section, name, value);
    else
        snprintf(st->why, sizeof st->why, "%s.%s = %s is an iteration: run this scenario with "
                 "`towncov sweep` (towncov run takes one value per key)", section, name, value);
    return 0;
}

/* Judges one key; 0 when refused, the reason in st->why. */
static int judge_key(struct parse_state *st, const char *section, const char *name,
                     const char *value)
{
    size_t base;
    const struct key_desc *d = find_key(section, name, &base);
    if (!d) {
        char near[160];
        if (!section_known(section))
            snprintf(st->why, sizeof st->why, "unknown section [%s]", section);
        else
            snprintf(st->why, sizeof st->why, "unknown key '%s' in section [%s]%s", name,
                     section, suggest_key(section, name, 0, near));
        return 0;
    }
    for (size_t t = 0; t < N_TABLES; t++)
        if (tables[t].base == base) {
            int k = (int)(d - tables[t].keys);
            if (st->seen[t][k]) {
                snprintf(st->why, sizeof st->why, "%s.%s is set twice", section, name);
                return 0;
            }
            st->seen[t][k] = 1;
        }
    if (strcmp(section, "sweep") != 0 && has_iteration(value))
        return on_iteration(st, section, name, value);
    return set_value(d, (char *)st->scn + base, value, st->why, sizeof st->why) == 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value,
                  int line, struct tc_error *err)
{
    struct parse_state *st = user;
    if (judge_key(st, section, name, value))
        return 0;
    return tc_fail(err, TC_EXIT_SCENARIO, "%s:%d: %s", st->scn->path, line, st->why);
}

/* Splits "section.key" (the first len bytes of text) into its two parts;
 * -1 when it has no dot or a part is too long. */
static int split_key(const char *text, size_t len, char *section, char *name, size_t size)
{
    const char *dot = memchr(text, '.', len);
    if (!dot)
        return -1;
    size_t ls = (size_t)(dot - text), ln = len - ls - 1;
    if (ls >= size || ln >= size)
        return -1;
    memcpy(section, text, ls);
    section[ls] = '\0';
    memcpy(name, dot + 1, ln);
    name[ln] = '\0';
    return 0;
}

const struct key_desc *scenario_find_key(const char *dotted)
{
    char section[128], name[128];
    size_t base;
    if (split_key(dotted, strlen(dotted), section, name, sizeof section) != 0)
        return NULL;
    return find_key(section, name, &base);
}

/* Sets section.key (len bytes of key) to value; errors say "where: ...". */
static int set_key(struct scenario *scn, const char *key, size_t len, const char *value,
                   const char *where, struct tc_error *err)
{
    char section[128], name[128];
    if (split_key(key, len, section, name, sizeof section) != 0)
        return tc_fail(err, TC_EXIT_USAGE, "%s: expected section.key=value", where);
    size_t base;
    const struct key_desc *d = find_key(section, name, &base);
    char near[160];
    if (!d)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: unknown key %s.%s%s", where, section, name,
                       suggest_key(section, name, 1, near));
    if (strcmp(section, "sweep") != 0 && has_iteration(value))
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s.%s = %s is an iteration: only the "
                       "scenario file and towncov sweep --vary take those", where, section, name,
                       value);
    char why[1024];
    if (set_value(d, (char *)scn + base, value, why, sizeof why) != 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s", where, why);
    return 0;
}

static int apply_override(struct scenario *scn, const char *arg, const struct scenario_value *values,
                          int n_values, struct tc_error *err)
{
    const char *eq = strchr(arg, '=');
    char where[64 + TC_STR_MAX];
    snprintf(where, sizeof where, "--set %.*s", TC_STR_MAX, arg);
    if (!eq)
        return tc_fail(err, TC_EXIT_USAGE, "%s: expected section.key=value", where);
    for (int i = 0; i < n_values; i++)
        if (strlen(values[i].key) == (size_t)(eq - arg) &&
            strncmp(values[i].key, arg, (size_t)(eq - arg)) == 0)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s is varied by the sweep (%s)", where,
                           values[i].key, values[i].where);
    return set_key(scn, arg, (size_t)(eq - arg), eq + 1, where, err);
}

static int check_consistency(const struct scenario *scn, struct tc_error *err)
{
    if (scn->sites.strategy == SITES_FILE && !scn->sites.file[0])
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sites.strategy = file needs sites.file",
                       scn->path);
    if (scn->sites.strategy != SITES_FILE && scn->sites.count < 1)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sites.count must be at least 1", scn->path);
    if (!scn->map.file[0])
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: map.file is required", scn->path);
    if (scn->sites.filter[0] && !strchr(scn->sites.filter + 1, '='))
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sites.filter = %s: expected COLUMN=VALUE "
                       "(e.g. radio=NR)", scn->path, scn->sites.filter);
    double wsum = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        wsum += scn->sites.weight[k];
    if (wsum <= 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: the sites.weight_* keys are all zero",
                       scn->path);
    if (radio_config_check(&scn->radio, err) != 0) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s", scn->path, inner);
    }
    if (terrain_config_check(&scn->terrain, err) != 0) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s", scn->path, inner);
    }
    unsigned layers;
    if (raster_config_layers(&scn->raster, &layers, err) != 0) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s", scn->path, inner);
    }
    int pl = scn->output.picture_layer;
    if (pl != PICTURE_COVERAGE) {
        const char *name = picture_layer_names[pl];
        if (scn->raster.resolution_m <= 0 || !(layers & 1u << (pl - PICTURE_RSRP)))
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: output.picture_layer = %s needs "
                           "raster.resolution_m > 0 and %s in raster.layers", scn->path, name,
                           name);
        if (scn->radio.model != RADIO_LINK)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: output.picture_layer = %s needs "
                           "radio.model = link (the rasters' model)", scn->path, name);
    }
    return 0;
}

/* A plain run takes one value per key: repetitions are a sweep's. */
static int check_plain_run(const struct scenario *scn, struct tc_error *err)
{
    if (scn->sweep.repeat > 1)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sweep.repeat = %ld: run this scenario with "
                       "`towncov sweep`", scn->path, scn->sweep.repeat);
    return 0;
}

static int load_file(const char *path, int member, const struct scenario_value *values,
                     int n_values, struct scenario *scn, struct tc_error *err)
{
    scenario_defaults(scn);
    if (strlen(path) >= sizeof scn->path)
        return tc_fail(err, TC_EXIT_SCENARIO, "scenario path too long");
    strcpy(scn->path, path);
    char tmp[TC_STR_MAX];
    strcpy(tmp, path);
    snprintf(scn->base_dir, sizeof scn->base_dir, "%s", dirname(tmp));

    struct parse_state *st = calloc(1, sizeof *st);
    if (!st)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory while reading the scenario",
                       path);
    st->scn = scn;
    st->member = member;
    st->values = values;
    st->n_values = n_values;
    int rc = inifile_read(path, "scenario", TC_EXIT_SCENARIO, on_key, st, err);
    free(st);
    return rc;
}

static int load_scenario(const char *path, int member, const struct scenario_value *values,
                         int n_values, const char *const *overrides, int n_overrides,
                         struct scenario *scn, struct tc_error *err)
{
    int rc = load_file(path, member, values, n_values, scn, err);
    for (int i = 0; rc == 0 && i < n_values; i++)
        rc = set_key(scn, values[i].key, strlen(values[i].key), values[i].value,
                     values[i].where, err);
    for (int i = 0; rc == 0 && i < n_overrides; i++)
        rc = apply_override(scn, overrides[i], values, n_values, err);
    if (rc == 0 && !member)
        rc = check_plain_run(scn, err);
    if (rc == 0)
        rc = check_consistency(scn, err);
    return rc;
}

int scenario_load(const char *path, const char *const *overrides, int n_overrides,
                  struct scenario *scn, struct tc_error *err)
{
    return load_scenario(path, 0, NULL, 0, overrides, n_overrides, scn, err);
}

int scenario_load_member(const char *path, const struct scenario_value *values, int n_values,
                         const char *const *overrides, int n_overrides, struct scenario *scn,
                         struct tc_error *err)
{
    return load_scenario(path, 1, values, n_values, overrides, n_overrides, scn, err);
}

int scenario_inputs(const struct scenario *scn, struct outdir_inputs *in, struct tc_error *err)
{
    if (outdir_inputs_add(in, NULL, scn->path, err) != 0)
        return -1;
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++) {
            const struct key_desc *d = &tables[t].keys[k];
            const char *file = (const char *)scn + tables[t].base + d->offset;
            if (d->type == KEY_PATH && outdir_inputs_add(in, scn->base_dir, file, err) != 0)
                return -1;
        }
    return 0;
}

const char *scenario_key_type_name(const struct key_desc *d)
{
    switch (d->type) {
    case KEY_INT: return "integer";
    case KEY_DOUBLE: return "number";
    case KEY_BOOL: return "yes/no";
    case KEY_STRING:
    case KEY_PATH: return "text";
    case KEY_ENUM: return "choice";
    case KEY_ENCODING: return "encoding";
    }
    return "?";
}

void scenario_print_keys(FILE *out)
{
    const char *section = "";
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++) {
            const struct key_desc *d = &tables[t].keys[k];
            if (strcmp(section, d->section) != 0) {
                section = d->section;
                fprintf(out, "\n#### [%s]\n\n| key | type | default | unit | meaning |\n"
                             "| --- | --- | --- | --- | --- |\n",
                        section);
            }
            char range[600] = "";
            if (d->type == KEY_ENUM) {
                char list[512];
                describe_choices(d, list, sizeof list);
                snprintf(range, sizeof range, " One of: %s.", list);
            } else if (d->type == KEY_INT || d->type == KEY_DOUBLE) {
                snprintf(range, sizeof range, " Range %g to %g.", d->min, d->max);
            }
            fprintf(out, "| `%s` | %s | `%s` | %s | %s.%s |\n", d->name, scenario_key_type_name(d),
                    d->def[0] ? d->def : "(empty)", d->unit[0] ? d->unit : "", d->doc, range);
        }
}

const struct key_desc *scenario_key_at(size_t i)
{
    for (size_t t = 0; t < N_TABLES; t++) {
        if (i < (size_t)*tables[t].count)
            return &tables[t].keys[i];
        i -= (size_t)*tables[t].count;
    }
    return NULL;
}

/* One key's value as a scenario file writes it. */
static void write_value(FILE *out, const struct key_desc *d, const void *src)
{
    switch (d->type) {
    case KEY_INT:
        fprintf(out, "%ld", *(const long *)src);
        break;
    case KEY_DOUBLE:
        fprintf(out, "%.17g", *(const double *)src);
        break;
    case KEY_BOOL:
        fputs(*(const int *)src ? "yes" : "no", out);
        break;
    case KEY_ENUM:
        fputs(d->choices[*(const int *)src], out);
        break;
    case KEY_STRING:
    case KEY_ENCODING:
    case KEY_PATH:
        fputs((const char *)src, out);
        break;
    }
}

int scenario_write(FILE *out, const struct scenario *scn)
{
    const char *section = "";
    for (size_t t = 0; t < N_TABLES; t++)
        for (int k = 0; k < *tables[t].count; k++) {
            const struct key_desc *d = &tables[t].keys[k];
            if (strcmp(section, d->section) != 0) {
                section = d->section;
                fprintf(out, "%s[%s]\n", t || k ? "\n" : "", section);
            }
            fprintf(out, "%s = ", d->name);
            write_value(out, d, (const char *)scn + tables[t].base + d->offset);
            fputc('\n', out);
        }
    return ferror(out) ? -1 : 0;
}
