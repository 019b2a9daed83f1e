/* member.c — one member of a sweep: its scenario (the file with the
 * member's values in place of the iterations), its run through the same
 * pipeline as `towncov run` (sharing the map through the cache), and what
 * the sweep's files keep of it. */
#include "sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/csv.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/pipeline.h"
#include "towncov/report.h"
#include "towncov/scenario.h"

int sweep_member_scenario(const struct sweep_run *run, long i, struct scenario *scn,
                          struct tc_error *err)
{
    const struct sweep_table *t = &run->table;
    const struct sweep_member *m = &t->m[i];
    struct scenario_value *values = calloc((size_t)t->nkeys + 1, sizeof *values);
    if (!values)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int k = 0; k < t->nkeys; k++)
        values[k] = (struct scenario_value){t->keys[k], sweep_value(t, i, k), sweep_where(t, k)};
    int rc = scenario_load_member(run->opt->scenario, values, t->nkeys, run->opt->sets,
                                  run->opt->n_sets, scn, err);
    free(values);
    if (rc != 0)
        return -1;
    /* Repetition r runs with the member's seed + r ([sweep] repeat). */
    if (scn->info.seed + m->repetition > 9007199254740992L)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: scenario.seed + repetition %ld is beyond "
                       "2^53", run->opt->scenario, m->repetition);
    scn->info.seed += m->repetition;
    return 0;
}

/* Keeps the member's lines of sweep_townships.csv: what townships.csv
 * says of each township it judged (judged NULL: every one), written the
 * same way (tc_format_fixed). */
static int keep_rows(struct sweep_member *m, long index, const struct run_state *st,
                     const unsigned char *judged)
{
    const struct tc_map *map = st->map;
    char *rows = NULL;
    size_t cap = 0, n = 0;
    for (int t = 0; t < map->n; t++) {
        if (judged && !judged[t])
            continue;
        size_t need = CSV_QUOTED_MAX(strlen(map->t[t].code)) + 3 * TC_FIXED_MAX + 64;
        if (tc_reserve((void **)&rows, &cap, n + need, 1) != 0) {
            free(rows);
            return -1;
        }
        const struct cov_result *r = &st->results[t];
        n += (size_t)snprintf(rows + n, cap - n, "%ld,", index);
        n += csv_quote(rows + n, map->t[t].code); /* a map code may hold a comma */
        rows[n++] = ',';
        n += (size_t)tc_format_fixed(rows + n, r->covered_frac, 12);
        rows[n++] = ',';
        n += (size_t)tc_format_fixed(rows + n, r->seat_covered_frac, 12);
        n += (size_t)snprintf(rows + n, cap - n, ",%s,",
                              st->verdict.township_met[t] ? "yes" : "no");
        if (map->has_population) /* empty without people, as townships.csv has none */
            n += (size_t)tc_format_fixed(rows + n, r->population_covered_frac, 12);
        rows[n++] = '\n';
    }
    m->rows = rows;
    m->rows_len = n;
    return 0;
}

/* How close to a threshold a township met at one probe may be and still
 * be taken as met at a larger one without judging it again: the fractions
 * of a larger union can only grow, but the engine's rounding (about 1e-15
 * of a township's area) could take one a hair below a threshold it met
 * exactly. 1e-9 is a million times that rounding. */
#define GOAL_MARGIN 1e-9

/* --find-min: recheck[t] for each township judged (judged NULL: all) that
 * fails, or meets the goal with some fraction within GOAL_MARGIN of its
 * threshold. 0, or -1 when out of memory. */
static int keep_recheck(struct sweep_member *m, const struct run_state *st,
                        const struct goal_config *goal, const unsigned char *judged)
{
    struct goal_config raised = *goal;
    if (raised.seat_area_min_fraction > 0)
        raised.seat_area_min_fraction += GOAL_MARGIN;
    if (raised.min_covered_fraction > 0)
        raised.min_covered_fraction += GOAL_MARGIN;
    if (raised.population_min_fraction > 0)
        raised.population_min_fraction += GOAL_MARGIN;
    m->recheck = calloc((size_t)st->map->n + 1, 1);
    if (!m->recheck)
        return -1;
    for (int t = 0; t < st->map->n; t++)
        m->recheck[t] = (!judged || judged[t]) && !goal_township_met(&raised, &st->results[t]);
    return 0;
}

/* A probe that judged only some townships: the others are met (they were
 * at a smaller probe, and placements are nested), so its failing count
 * and verdict are exact; its province shares and checksum would need
 * every township's coverage, and are unknown (NAN, 0). */
static void keep_partial(struct sweep_member *m, const struct run_state *st,
                         const unsigned char *judged)
{
    m->partial = 1;
    m->n_failing = m->n_judged = 0;
    for (int t = 0; t < st->map->n; t++)
        if (judged[t]) {
            m->n_judged++;
            m->n_failing += !st->verdict.township_met[t];
        }
    m->goal_met = m->n_failing == 0;
    m->covered_share = m->seat_share = m->people_share = NAN;
    m->checksum = 0;
}

static int keep_outcome(struct sweep_member *m, long index, const struct run_state *st,
                        const struct sweep_run *run, const struct goal_config *goal,
                        struct tc_error *err)
{
    const struct goal_verdict *v = &st->verdict;
    m->goal_met = v->met;
    m->n_failing = v->n_failing;
    m->n_judged = st->map->n;
    m->n_townships = st->map->n;
    m->seats_covered = v->seats_covered;
    m->covered_share = v->area_m2 > 0 ? v->covered_m2 / v->area_m2 : 0.0;
    m->has_seat_areas = v->seat_area_m2 > 0;
    m->seat_share = m->has_seat_areas ? v->seat_covered_m2 / v->seat_area_m2 : 0.0;
    m->has_people = st->map->has_population && v->population > 0;
    m->people_share = m->has_people ? v->population_covered / v->population : 0.0;
    m->checksum = report_checksum(st->map, st->results);
    if (run->judge_only)
        keep_partial(m, st, run->judge_only);
    if (keep_rows(m, index, st, run->judge_only) != 0 ||
        (run->has_find_min && keep_recheck(m, st, goal, run->judge_only) != 0))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for member %ld's townships", index);
    m->done = 1;
    return 0;
}

/* members/NNN in the sweep's folder: three digits, more when needed. */
static char *member_dir(const struct sweep_run *run, long i)
{
    char name[64];
    snprintf(name, sizeof name, "members/%03ld", i);
    return outdir_join(run->tmp, name);
}

int sweep_member_run(struct sweep_run *run, long i, struct tc_error *err)
{
    struct sweep_member *m = &run->table.m[i];
    struct scenario *scn = malloc(sizeof *scn);
    if (!scn)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    double t0 = tc_now();
    int rc = sweep_member_scenario(run, i, scn, err);
    m->seed = scn->info.seed;
    struct run_options ro = {.threads = run->opt->threads, .cache = run->cache, .quiet = 1,
                             .log = run->opt->log, .judge_only = run->judge_only};
    struct run_state st;
    double seconds[PHASE_COUNT];
    char *dir = NULL;
    if (rc == 0 && run->opt->keep_members) {
        dir = member_dir(run, i);
        ro.out_dir = dir;
        rc = dir ? pipeline_run_kept(scn, &ro, &st, seconds, err)
                 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    } else if (rc == 0) {
        rc = pipeline_judge(scn, &ro, &st, seconds, err);
    }
    if (rc == 0) {
        rc = keep_outcome(m, i, &st, run, &scn->goal, err);
        pipeline_state_free(&st);
    }
    if (rc == 0)
        sweep_rows_stream(run, m);
    m->seconds = tc_now() - t0;
    free(dir);
    free(scn);
    return rc;
}

void sweep_member_progress(const struct sweep_run *run, long i, FILE *log)
{
    const struct sweep_table *t = &run->table;
    const struct sweep_member *m = &t->m[i];
    if (run->has_find_min)
        fprintf(log, "towncov: probe %ld", i + 1);
    else
        fprintf(log, "towncov: member %ld/%ld", i + 1, t->n);
    for (int k = 0; k < t->nkeys; k++)
        fprintf(log, "%s %s=%s", k ? "," : "", t->keys[k], sweep_value(t, i, k));
    if (t->repeat > 1)
        fprintf(log, " repetition %ld", m->repetition);
    fprintf(log, ": %s, %d of %d failing", m->goal_met ? "goal met" : "goal not met",
            m->n_failing, m->n_townships);
    if (m->partial)
        fprintf(log, " (%d judged, the rest met at a smaller count)", m->n_judged);
    else
        fprintf(log, ", %.2f%% covered", 100.0 * m->covered_share);
    if (m->has_seat_areas && !m->partial)
        fprintf(log, ", seat areas %.2f%%", 100.0 * m->seat_share);
    if (m->has_people && !m->partial)
        fprintf(log, ", people %.2f%%", 100.0 * m->people_share);
    fprintf(log, " (%.2f s)\n", m->seconds);
}
