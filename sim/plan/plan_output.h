/* plan_output.h — the plan as its writers (output.c) and the driver
 * (plan.c) see it; private to sim/plan/. */
#ifndef TOWNCOV_PLAN_OUTPUT_H
#define TOWNCOV_PLAN_OUTPUT_H

#include <stddef.h>

#include "plan_internal.h"

struct scenario;

enum plan_phase { PLAN_JUDGE, PLAN_CANDIDATES, PLAN_MIP, PLAN_GREEDY, PLAN_CHECK,
                  PLAN_PHASES };
extern const char *const plan_phase_names[PLAN_PHASES];

/* The bound over the components: the sum of each one's (its MIP optimum,
 * or the ceiling of its LP relaxation's), on the discretisation. */
struct plan_bound {
    long bound;
    double lp;            /* sum of the components' LP optima */
    int components, by_status[COMP_STATUSES];
    long points;
    double step_m;
};

struct plan_result {
    const char *scenario_path;
    const char *candidates_from; /* the CSV, or "lattice" */
    const struct tc_map *map;
    const struct tc_sites *existing;
    const struct tc_sites *cand;  /* NULL when the goal was met */
    const struct plan *plan;      /* NULL when the goal was met */
    const double *seats_area;     /* slot -> seat area, m2 */
    long *added;                  /* candidate indices, ascending */
    long n_added;
    int failing_before, failing_after, unfixable;
    double spacing_m;
    struct plan_bound bound;
    double gap_percent;
    char **fixes;                 /* per added station, the codes of the townships it
                                     fixes, ';'-joined, whole (plan_fixes_new) */
    int check_ran, check_met;
    unsigned long long check_checksum; /* the check run's (its summary.json's) */
    /* people covered (population.h), when the map has people: the share
     * before the plan, and after it (the check run's) */
    int has_people;
    double people, people_before, people_after;
    double seconds[PLAN_PHASES];
};

/* r->fixes, made (NULL when out of memory) and freed (n: r->n_added). */
char **plan_fixes_new(const struct plan_result *r);
void plan_fixes_free(char ***fixes, long n);

/* The id added station k is written with (its CSV id, or plan-N). */
void plan_added_id(const struct plan_result *r, long k, char *buf, size_t size);

int plan_write_sites(const char *dir, const struct plan_result *r, struct tc_error *err);
int plan_write_ini(const char *dir, const struct scenario *planned, struct tc_error *err);
/* added_sites.shp (+ .qml) in the map's CRS (shapes.c): before the check
 * run, which writes it to PostGIS with its tables. */
int plan_write_layer(const char *dir, const struct plan_result *r, struct tc_error *err);
/* towncov.gpkg (added_sites, and towncov_run: the scenario and the check
 * run's verdict and checksum) when scn's [output] format includes it,
 * plan.qgs on the files of that format (shapes.c). */
int plan_write_project(const char *dir, const struct plan_result *r,
                       const struct scenario *scn, struct tc_error *err);
int plan_write_json(const char *dir, const struct plan_result *r, struct tc_error *err);

#endif
