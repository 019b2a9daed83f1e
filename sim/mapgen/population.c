/* population.c — mapgen --population: the county table's people on the
 * built townships, so that a map carries them (population, urban_pop,
 * rural_pop in townships.shp) and a run can read them back with
 * [map] population_field = population, urban_population_field = urban_pop. */
#include "mapgen_internal.h"

#include <stdlib.h>

#include "towncov/population.h"

int mg_population(struct province *p, const struct pop_table *tab, struct tc_error *err)
{
    size_t n = (size_t)(p->nt > 0 ? p->nt : 1);
    const char **county = calloc(n, sizeof *county), **what = calloc(n, sizeof *what);
    char (*line)[32] = calloc(n, sizeof *line);
    double *b = calloc(n, sizeof *b), *a = calloc(n, sizeof *a);
    struct pop_share *share = calloc(n, sizeof *share);
    int rc = county && what && line && b && a && share ? 0
             : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int i = 0; rc == 0 && i < p->nt; i++) {
        const struct mg_township *t = &p->t[i];
        county[i] = p->c[t->county].code;
        /* the built-up zone: a subdistrict whole, else its seat area */
        b[i] = t->kind == KIND_SUBDISTRICT ? t->area_km2 : t->seat_area_km2;
        a[i] = t->area_km2;
        snprintf(line[i], sizeof line[i], "township %s", t->code);
        what[i] = line[i];
    }
    /* p->t is sorted by county, then code: ties go to the lower code */
    if (rc == 0)
        rc = pop_spread(tab, p->nt, county, b, a, what, share, stderr, err);
    for (int i = 0; rc == 0 && i < p->nt; i++) {
        p->t[i].urban = share[i].urban;
        p->t[i].rural = share[i].rural;
        p->t[i].population = share[i].urban + share[i].rural;
    }
    p->has_population = rc == 0;
    free(county);
    free(what);
    free(line);
    free(b);
    free(a);
    free(share);
    return rc;
}
