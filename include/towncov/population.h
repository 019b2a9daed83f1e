/* population.h — stage 2b (the seat stage's, sim/seat/population.c): people
 * on the map. Each township's population,
 * split into its urban and rural people and into the people living on its
 * built-up zone (a subdistrict whole, else its seat area, the same seat
 * area the goal judges) and on its rural zone (the rest of its land).
 *
 * From a county table ([map] population = FILE.csv, columns code,
 * population, urban_share, joined by [map] county_code_field): a county's
 * urban people are spread over its townships' built-up land at one urban
 * density, its rural people over the rest of their land at one rural
 * density. A county with urban people but no built-up land spreads them
 * over its rural land (and rural people with no rural land over its
 * built-up land): the county's people then live at one density on the land
 * it has; one note names how many counties and the first.
 *
 * Rounding: a county's urban people are round(population x urban_share)
 * (half up), its rural people the rest; each is shared out over the
 * townships by the largest-remainder method (floors first, the people left
 * one each to the largest remainders, ties to the lower township code), so
 * the townships of a county sum to the table exactly, to the person.
 *
 * From township figures ([map] population_field, optionally with
 * urban_population_field): the figures as given (rounded to the person);
 * without an urban field the township's people are taken at one density
 * over all its land, its urban people being its built-up zone's share
 * (rounded half up).
 *
 * With uniform density per zone, the people a coverage reaches are exact:
 * people on the built-up zone x covered built-up area / built-up area +
 * people on the rural zone x covered rural area / rural area. */
#ifndef TOWNCOV_POPULATION_H
#define TOWNCOV_POPULATION_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/map_config.h"

struct tc_map;
struct tc_seat_areas;
struct cov_result;

/* One township's share, as pop_spread writes it. */
struct pop_share {
    long urban, rural;  /* census categories */
    long on_builtup;    /* people living on the built-up zone (the rest on the rural zone) */
};

/* A county table: rows in file order. */
struct pop_table {
    int n;
    char **code;
    long *population, *urban; /* urban = round(population x urban_share), half up */
    long *line;               /* the row's physical line */
    char path[TC_PATH_MAX];
};

/* Reads a county table (columns code, population, urban_share found by
 * name; UTF-8 or GBK). NULL with err (exit 4, "path:line: ...") for a
 * missing column, a duplicate code, a negative, fractional or non-numeric
 * population, a share outside 0..1. Freed with pop_table_free. */
struct pop_table *pop_table_read(const char *path, struct tc_error *err);
void pop_table_free(struct pop_table **tab);

/* Spreads the table over n townships: county[t] the township's county
 * code, builtup_m2[t] and area_m2[t] its built-up zone and its land (t in
 * code order: ties go to the lower t). Fills share[t]. A county of the
 * townships missing from the table is an error naming the county and
 * what[t] (the township's record, for the message); rows for counties no
 * township has give one note on warn (may be NULL). 0, or -1 with err. */
int pop_spread(const struct pop_table *tab, int n, const char *const *county,
               const double *builtup_m2, const double *area_m2, const char *const *what,
               struct pop_share *share, FILE *warn, struct tc_error *err);

/* Puts the population on the map's townships (township.population and
 * the fields beside it; map->has_population), from cfg's table or the
 * township figures the loader read; nothing when cfg names neither.
 * base_dir resolves a relative table. 0, or -1 with err. */
int population_apply(const struct map_config *cfg, const char *base_dir, struct tc_map *map,
                     const struct tc_seat_areas *seats, FILE *warn, struct tc_error *err);

/* The built-up zone's area of township t: the whole township for a
 * subdistrict or a seat area that is the whole, else its seat area. */
double population_builtup_m2(const struct tc_map *map, const struct tc_seat_areas *seats, int t);

/* Fills results[t].population, population_covered and
 * population_covered_frac from the covered areas already in results
 * (covered_m2, seat_covered_m2); zeros when the map has no population. */
void population_cover(const struct tc_map *map, const struct tc_seat_areas *seats,
                      struct cov_result *results);

#endif
