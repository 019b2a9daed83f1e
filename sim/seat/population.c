/* population.c — people on the map: the county table and its spread over
 * the townships by zone (see population.h for the model and the rounding
 * rule). In the seat stage: the built-up zones are the seat areas. The
 * people a coverage reaches are the coverage stage's
 * (sim/coverage/population.c). */
#include "towncov/population.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/csv.h"
#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/seat.h"

/* ---- the county table ----------------------------------------------------*/
void pop_table_free(struct pop_table **ptab)
{
    struct pop_table *tab = *ptab;
    if (!tab)
        return;
    for (int i = 0; i < tab->n; i++)
        free(tab->code[i]);
    free(tab->code);
    free(tab->population);
    free(tab->urban);
    free(tab->line);
    free(tab);
    *ptab = NULL;
}

/* A field as a finite number, the whole field read; 0 or -1. */
static int parse_number(const char *s, double *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtod(s, &end);
    return s[0] && end != s && !*end && !errno && isfinite(*v) ? 0 : -1;
}

static int grow(struct pop_table *tab, int *cap)
{
    if (tab->n < *cap)
        return 0;
    int c = *cap ? 2 * *cap : 256;
    char **code = realloc(tab->code, sizeof *code * (size_t)c);
    if (code)
        tab->code = code;
    long *p = realloc(tab->population, sizeof *p * (size_t)c);
    if (p)
        tab->population = p;
    long *u = realloc(tab->urban, sizeof *u * (size_t)c);
    if (u)
        tab->urban = u;
    long *l = realloc(tab->line, sizeof *l * (size_t)c);
    if (l)
        tab->line = l;
    if (!code || !p || !u || !l)
        return -1;
    *cap = c;
    return 0;
}

/* One row into tab (columns: code, population, share). */
static int read_row(struct csv_reader *r, const int col[3], struct pop_table *tab,
                    struct tc_error *err)
{
    const char *code = csv_field(r, col[0]), *ps = csv_field(r, col[1]),
               *ss = csv_field(r, col[2]);
    double pop, share;
    if (!code[0])
        return csv_fail(r, err, "empty county code");
    if (parse_number(ps, &pop) != 0 || pop < 0 || pop != floor(pop) || pop > 1e12)
        return csv_fail(r, err, "county %s: population '%s' is not a whole number >= 0", code,
                        ps);
    if (parse_number(ss, &share) != 0 || share < 0 || share > 1)
        return csv_fail(r, err, "county %s: urban_share '%s' is not a share between 0 and 1",
                        code, ss);
    for (int i = 0; i < tab->n; i++)
        if (strcmp(tab->code[i], code) == 0)
            return csv_fail(r, err, "county %s is listed twice (first at line %ld)", code,
                            tab->line[i]);
    if (!(tab->code[tab->n] = strdup(code)))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    tab->population[tab->n] = (long)pop;
    tab->urban[tab->n] = (long)floor(pop * share + 0.5); /* half up */
    tab->line[tab->n++] = csv_line(r);
    return 0;
}

struct pop_table *pop_table_read(const char *path, struct tc_error *err)
{
    struct csv_options opt = {.exit_code = TC_EXIT_MAP};
    struct csv_reader *r = csv_open(path, &opt, err);
    if (!r)
        return NULL;
    struct pop_table *tab = calloc(1, sizeof *tab);
    int col[3] = {csv_column(r, "code"), csv_column(r, "population"),
                  csv_column(r, "urban_share")};
    int rc = tab ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0 && (col[0] < 0 || col[1] < 0 || col[2] < 0))
        rc = tc_fail(err, TC_EXIT_MAP, "%s:%ld: the population table needs columns code, "
                     "population and urban_share; it has: %s", path, csv_header_line(r),
                     csv_header_text(r));
    if (rc == 0)
        snprintf(tab->path, sizeof tab->path, "%s", path);
    int cap = 0, more;
    while (rc == 0 && (more = csv_next(r, err)) != 0) {
        if (more < 0)
            rc = -1;
        else if (grow(tab, &cap) != 0)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        else
            rc = read_row(r, col, tab, err);
    }
    csv_close(&r);
    if (rc != 0)
        pop_table_free(&tab);
    return tab;
}

/* ---- the spread ---------------------------------------------------------*/
/* A township and its county, for sorting by county then code order. */
struct by_county { const char *county; int t; };

static int county_then_index(const void *a, const void *b)
{
    const struct by_county *x = a, *y = b;
    int c = strcmp(x->county, y->county);
    return c ? c : (x->t > y->t) - (x->t < y->t);
}

/* Largest remainder: total people over m townships ids[] (in code order)
 * in proportion to w[ids[k]] (sum wsum > 0), into out[ids[k]]. Floors
 * first, then one each to the largest remainders, ties to the lower
 * township. rem is scratch of m. */
static void share_out(long total, const int *ids, int m, const double *w, double wsum,
                      long *out, double *rem)
{
    long given = 0;
    for (int k = 0; k < m; k++) {
        double q = (double)total * (w[ids[k]] / wsum);
        double f = floor(q);
        out[ids[k]] = (long)f;
        rem[k] = q - f;
        given += (long)f;
    }
    while (given < total) {
        int best = 0;
        for (int k = 1; k < m; k++)
            if (rem[k] > rem[best])
                best = k;
        out[ids[best]]++;
        given++;
        rem[best] -= 1; /* taken: below every remainder not taken */
    }
    /* Rounding in q may put the floors one over: take back from the
     * smallest remainders among townships that have people. */
    while (given > total) {
        int best = -1;
        for (int k = 0; k < m; k++)
            if (out[ids[k]] > 0 && (best < 0 || rem[k] < rem[best]))
                best = k;
        out[ids[best]]--;
        given--;
        rem[best] += 1;
    }
}

static int find_row(const struct pop_table *tab, const char *code)
{
    for (int i = 0; i < tab->n; i++)
        if (strcmp(tab->code[i], code) == 0)
            return i;
    return -1;
}

/* One county: townships ids[0..m-1], its table row. */
static void spread_county(const struct pop_table *tab, int row, const int *ids, int m,
                         const double *builtup, const double *rural, const double *land,
                         struct pop_share *share, long *urban, long *rur, double *rem,
                         int *odd)
{
    double b = 0, r = 0, a = 0;
    for (int k = 0; k < m; k++) {
        b += builtup[ids[k]];
        r += rural[ids[k]];
        a += land[ids[k]];
    }
    long u = tab->urban[row], ru = tab->population[row] - u;
    /* A zone with no land gives its people to the land there is. */
    int no_b = !(b > 0), no_r = !(r > 0);
    if ((no_b && u > 0) || (no_r && ru > 0))
        (*odd)++;
    share_out(u, ids, m, no_b ? land : builtup, no_b ? a : b, urban, rem);
    share_out(ru, ids, m, no_r ? land : rural, no_r ? a : r, rur, rem);
    for (int k = 0; k < m; k++) {
        int t = ids[k];
        share[t].urban = urban[t];
        share[t].rural = rur[t];
        share[t].on_builtup = (no_b ? 0 : urban[t]) + (no_r ? rur[t] : 0);
    }
}

/* The townships' rows of tab (row[t]); an error for a county it lacks,
 * a note for rows no township uses. */
static int match_rows(const struct pop_table *tab, int n, const char *const *county,
                      const char *const *what, int *row, FILE *warn, struct tc_error *err)
{
    char *used = calloc((size_t)tab->n + 1, 1);
    if (!used)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int t = 0; t < n; t++) {
        row[t] = t > 0 && strcmp(county[t], county[t - 1]) == 0 ? row[t - 1]
                                                                : find_row(tab, county[t]);
        if (row[t] < 0) {
            free(used);
            return tc_fail(err, TC_EXIT_MAP, "%s: no row for county '%s' (%s)", tab->path,
                           county[t], what[t]);
        }
        used[row[t]] = 1;
    }
    int unused = 0, first = -1;
    for (int i = 0; i < tab->n; i++)
        if (!used[i] && unused++ == 0)
            first = i;
    if (unused && warn)
        fprintf(warn, "towncov: note: %s: %d row%s for counties the map lacks (the first, "
                "county %s, at line %ld): not used\n", tab->path, unused, unused == 1 ? "" : "s",
                tab->code[first], tab->line[first]);
    free(used);
    return 0;
}

int pop_spread(const struct pop_table *tab, int n, const char *const *county,
               const double *builtup_m2, const double *area_m2, const char *const *what,
               struct pop_share *share, FILE *warn, struct tc_error *err)
{
    size_t sz = (size_t)(n > 0 ? n : 1);
    int *ids = malloc(sizeof *ids * sz), *row = malloc(sizeof *row * sz);
    struct by_county *order = malloc(sizeof *order * sz);
    long *urban = calloc(sz, sizeof *urban), *rur = calloc(sz, sizeof *rur);
    double *rural = malloc(sizeof *rural * sz), *rem = malloc(sizeof *rem * sz);
    int rc = ids && row && order && urban && rur && rural && rem ? 0
             : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int t = 0; rc == 0 && t < n; t++) {
        order[t] = (struct by_county){county[t], t};
        rural[t] = area_m2[t] - builtup_m2[t] > 0 ? area_m2[t] - builtup_m2[t] : 0;
    }
    if (rc == 0)
        qsort(order, sz, sizeof *order, county_then_index);
    for (int k = 0; rc == 0 && k < n; k++)
        ids[k] = order[k].t;
    /* rows by sorted position, for the join */
    const char **sorted = rc == 0 ? malloc(sizeof *sorted * sz) : NULL;
    const char **swhat = rc == 0 ? malloc(sizeof *swhat * sz) : NULL;
    if (rc == 0 && (!sorted || !swhat))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int k = 0; rc == 0 && k < n; k++) {
        sorted[k] = county[ids[k]];
        swhat[k] = what[ids[k]];
    }
    if (rc == 0)
        rc = match_rows(tab, n, sorted, swhat, row, warn, err);
    int odd = 0, first_odd = -1;
    for (int k = 0; rc == 0 && k < n;) {
        int m = 1;
        while (k + m < n && row[k + m] == row[k])
            m++;
        int before = odd;
        spread_county(tab, row[k], ids + k, m, builtup_m2, rural, area_m2, share, urban, rur,
                      rem, &odd);
        if (odd > before && first_odd < 0)
            first_odd = row[k];
        k += m;
    }
    if (rc == 0 && odd && warn)
        fprintf(warn, "towncov: note: %s: %d count%s ha%s urban people but no built-up land, or "
                "rural people but no rural land (the first %s): their people are spread at one "
                "density over the land they have\n", tab->path, odd, odd == 1 ? "y" : "ies",
                odd == 1 ? "s" : "ve", tab->code[first_odd]);
    free(sorted);
    free(swhat);
    free(ids);
    free(order);
    free(row);
    free(urban);
    free(rur);
    free(rural);
    free(rem);
    return rc;
}

/* ---- onto the map ------------------------------------------------------*/
double population_builtup_m2(const struct tc_map *map, const struct tc_seat_areas *seats, int t)
{
    if (map->t[t].kind == KIND_SUBDISTRICT || seats->whole[t])
        return map->t[t].area_m2;
    return seats->area_m2[t] < map->t[t].area_m2 ? seats->area_m2[t] : map->t[t].area_m2;
}

/* Township figures as the loader read them: completed into zones. */
static void apply_fields(struct tc_map *map)
{
    for (int i = 0; i < map->n; i++) {
        struct township *t = &map->t[i];
        double share = t->area_m2 > 0 ? t->builtup_m2 / t->area_m2 : 0;
        if (t->urban_population < 0) /* one density over the township */
            t->urban_population = (long)floor((double)t->population * share + 0.5);
        t->rural_population = t->population - t->urban_population;
        int no_b = !(t->builtup_m2 > 0), no_r = !(t->area_m2 - t->builtup_m2 > 0);
        t->pop_builtup = (no_b ? 0 : t->urban_population) + (no_r ? t->rural_population : 0);
    }
}

/* The county table spread over the map. */
static int apply_table(const char *path, struct tc_map *map, FILE *warn, struct tc_error *err)
{
    int n = map->n;
    for (int i = 0; i < n; i++)
        if (!map->t[i].county_code[0])
            return tc_fail(err, TC_EXIT_MAP, "%s: record %d (FID %d) (code %s) has no county "
                           "code (map.county_code_field), which map.population joins by",
                           map->source_file, map->t[i].record + 1, map->t[i].record,
                           map->t[i].code);
    struct pop_table *tab = pop_table_read(path, err);
    if (!tab)
        return -1;
    size_t sz = (size_t)n;
    const char **county = calloc(sz, sizeof *county);
    char **what = calloc(sz, sizeof *what);
    double *b = calloc(sz, sizeof *b), *a = calloc(sz, sizeof *a);
    struct pop_share *share = malloc(sizeof *share * sz);
    int rc = county && what && b && a && share ? 0
             : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int i = 0; rc == 0 && i < n; i++) {
        const struct township *t = &map->t[i];
        county[i] = t->county_code;
        b[i] = t->builtup_m2;
        a[i] = t->area_m2;
        if (asprintf(&what[i], "township %s, %s record %d (FID %d)", t->code, map->source_file,
                     t->record + 1, t->record) < 0) {
            what[i] = NULL;
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        }
    }
    if (rc == 0)
        rc = pop_spread(tab, n, county, b, a, (const char *const *)what, share, warn, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        struct township *t = &map->t[i];
        t->urban_population = share[i].urban;
        t->rural_population = share[i].rural;
        t->population = share[i].urban + share[i].rural;
        t->pop_builtup = share[i].on_builtup;
    }
    for (int i = 0; what && i < n; i++)
        free(what[i]);
    free(what);
    free(county);
    free(b);
    free(a);
    free(share);
    pop_table_free(&tab);
    return rc;
}

int population_apply(const struct map_config *cfg, const char *base_dir, struct tc_map *map,
                     const struct tc_seat_areas *seats, FILE *warn, struct tc_error *err)
{
    map->has_population = 0;
    if (!cfg->population[0] && !cfg->population_field[0])
        return 0;
    if (cfg->population[0] && cfg->population_field[0])
        return tc_fail(err, TC_EXIT_SCENARIO, "map.population and map.population_field are "
                       "two sources of people: give one");
    for (int t = 0; t < map->n; t++)
        map->t[t].builtup_m2 = population_builtup_m2(map, seats, t);
    int rc = 0;
    if (cfg->population_field[0]) {
        apply_fields(map);
    } else {
        char *path = cfg->population[0] == '/' || !base_dir || !base_dir[0]
                         ? strdup(cfg->population)
                         : outdir_join(base_dir, cfg->population);
        rc = path ? apply_table(path, map, warn, err)
                  : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        free(path);
        /* A map built by `make maps` keeps counties renamed since the census
         * under their new codes, and carries its people already. */
        if (rc != 0 && err->exit_code == TC_EXIT_MAP && map->carries_people) {
            char first[sizeof err->msg];
            snprintf(first, sizeof first, "%s", err->msg);
            tc_fail(err, TC_EXIT_MAP, "%s; this map carries its own people (fields population "
                    "and urban_pop, from mapgen --population): use [map] population_field = "
                    "population and urban_population_field = urban_pop instead of [map] "
                    "population", first);
        }
    }
    map->has_population = rc == 0;
    return rc;
}
