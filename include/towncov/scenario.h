/* scenario.h — stage 1: the scenario file (INI, parsed by libinih). Every
 * key is described by one of the stages' key tables, so that parsing,
 * defaults, range checks, --set and the key reference (towncov-scenario(5)) agree. */
#ifndef TOWNCOV_SCENARIO_H
#define TOWNCOV_SCENARIO_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/coverage_config.h"
#include "towncov/goal_config.h"
#include "towncov/map_config.h"
#include "towncov/output.h"
#include "towncov/radio_config.h"
#include "towncov/raster_config.h"
#include "towncov/seat_config.h"
#include "towncov/sites_config.h"
#include "towncov/sweep_config.h"
#include "towncov/terrain_config.h"

struct scenario_info {
    char name[TC_STR_MAX];
    long seed;
};

struct scenario {
    char path[TC_STR_MAX];     /* the file it was read from */
    char base_dir[TC_STR_MAX]; /* its folder: relative paths start here */
    struct scenario_info info;
    struct map_config map;
    struct seat_config seat;
    struct sites_config sites;
    struct radio_config radio;
    struct cov_config coverage;
    struct goal_config goal;
    struct output_config output;
    struct raster_config raster;
    struct terrain_config terrain;
    struct sweep_config sweep;
};

/* Reads `path`, then applies overrides ("section.key=value", as given to
 * --set). Every key absent from both takes its default. Returns 0, or -1
 * with err naming the file and line (or the --set argument). */
int scenario_load(const char *path, const char *const *overrides, int n_overrides,
                  struct scenario *scn, struct tc_error *err);

/* One value a sweep member gives a key: "section.key", its value, and
 * where it comes from ("FILE:LINE" of the iteration, "--vary ARG") for
 * the errors it may cause. */
struct scenario_value {
    const char *key;
    const char *value;
    const char *where;
};

/* scenario_load for one member of a sweep: the file's iterations (values
 * holding "${") take the member's values, which also set any key the file
 * does not iterate (--vary); overrides then apply, except on a varied key
 * (an error). Without values, a file with iterations or [sweep] repeat > 1
 * is refused (use towncov sweep). */
int scenario_load_member(const char *path, const struct scenario_value *values, int n_values,
                         const char *const *overrides, int n_overrides, struct scenario *scn,
                         struct tc_error *err);

/* The description of key "section.key", or NULL when there is none. */
const struct key_desc *scenario_find_key(const char *dotted);

/* Adds the files scn reads to `in`: the scenario file itself and the value
 * of every path-valued key (KEY_PATH: the map, its seat areas, key points,
 * the sites file, and any such key added later), each as the loaders open
 * it. Every command that writes an output folder checks it against these
 * (outdir_check_inputs). Returns 0, or -1 when out of memory. */
struct outdir_inputs;
int scenario_inputs(const struct scenario *scn, struct outdir_inputs *in, struct tc_error *err);

/* Fills scn with every default (no file). */
void scenario_defaults(struct scenario *scn);

/* Writes every key of scn with its value, section by section, as a
 * scenario file that scenario_load reads back to the same values (doubles
 * with 17 digits). Relative paths stay as they are: the caller makes them
 * right for where the file goes. Returns 0, or -1 when writing failed. */
int scenario_write(FILE *out, const struct scenario *scn);

/* Prints the key reference (section, key, type, default, unit, meaning) as
 * a Markdown table, for `towncov keys`. */
void scenario_print_keys(FILE *out);

/* The i-th key of the reference, in the order scenario_print_keys lists
 * them (for the man page and the shell completion), or NULL past the last.
 * Static storage. */
const struct key_desc *scenario_key_at(size_t i);

/* The name a key's type goes by in the reference ("integer", "text", ...):
 * one table for towncov keys, the man page and the README. */
const char *scenario_key_type_name(const struct key_desc *d);

#endif
