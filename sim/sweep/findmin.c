/* findmin.c — `towncov sweep --find-min KEY`: the smallest value of an
 * integer key (sites.count) at which the goal is met, by bisection. Each
 * probe is a member of the sweep. Bisection assumes the goal, once met,
 * stays met for larger values: generated placements are nested (the n
 * stations are the first n of n+k; sites.h), so adding stations only adds
 * coverage. The probes are checked for that, and a warning names any pair
 * that breaks it.
 *
 * Partial probes (sites.count, unless --full-probes): every goal condition
 * is a threshold on a township's own covered area, seat area, people or
 * points, each a measure of the union of the footprints that reach it
 * (a footprint is its station's alone: no interference enters the goal),
 * so it can only grow as stations are added. A township met at count u is
 * then met at every v > u, and a probe at v need only judge the townships
 * failing at the largest failing count below it (with those met within a
 * rounding margin: member.c), each with exactly the candidates a whole run
 * gives it (cov_compute_some). Its verdict and failing count are the whole
 * run's; the province shares are unknown there (NAN). A key other than
 * sites.count (min_per_township moves stations between townships) is
 * probed whole. */
#include "sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/scenario.h"

/* When no --range is given, the search starts at [1, the scenario's value]
 * and doubles the top this many times at most while the goal is not met. */
#define MAX_DOUBLINGS 8

/* The value of d, a [sites] integer key, in scn. */
static long sites_value(const struct scenario *scn, const struct key_desc *d)
{
    return *(const long *)((const char *)&scn->sites + d->offset);
}

/* Both ends of --range are values a probe takes: each is checked now as a
 * member's scenario checks it (sites.count = 0 is no placement), so that a
 * bad range is refused before any probe runs. */
static int check_range_end(const struct sweep_options *opt, long v, struct tc_error *err)
{
    struct scenario *tmp = malloc(sizeof *tmp);
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    struct scenario_value val = {opt->find_min, text, "--range"};
    if (!tmp)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    int rc = scenario_load_member(opt->scenario, &val, 1, opt->sets, opt->n_sets, tmp, err);
    free(tmp);
    if (rc != 0) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return tc_fail(err, TC_EXIT_USAGE, "--range %ld..%ld: %s = %ld: %s", opt->range_lo,
                       opt->range_hi, opt->find_min, v, inner);
    }
    return 0;
}

int sweep_find_min_prepare(struct sweep_run *run, struct scenario *scn, struct tc_error *err)
{
    const struct sweep_options *opt = run->opt;
    const struct key_desc *d = scenario_find_key(opt->find_min);
    if (!d)
        return tc_fail(err, TC_EXIT_USAGE, "--find-min %s: unknown key", opt->find_min);
    if (d->type != KEY_INT || strcmp(d->section, "sites") != 0)
        return tc_fail(err, TC_EXIT_USAGE, "--find-min %s: only an integer key of [sites] "
                       "(sites.count) can be searched", opt->find_min);
    if (scenario_load_member(opt->scenario, NULL, 0, opt->sets, opt->n_sets, scn, err) != 0)
        return -1;
    if (scn->sites.strategy == SITES_FILE)
        return tc_fail(err, TC_EXIT_USAGE, "--find-min %s: sites.strategy = file places no "
                       "generated stations", opt->find_min);
    struct sweep_find_min *f = &run->find_min;
    f->key = opt->find_min;
    f->lo = opt->range_hi > 0 ? opt->range_lo : (long)fmax(d->min, 1);
    f->hi = opt->range_hi > 0 ? opt->range_hi : sites_value(scn, d);
    if (f->lo < d->min || f->hi > d->max || f->lo > f->hi)
        return tc_fail(err, TC_EXIT_USAGE, "--range %ld..%ld: must lie in %.0f..%.0f, low "
                       "first", f->lo, f->hi, d->min, d->max);
    if (opt->range_hi > 0 &&
        (check_range_end(opt, f->lo, err) != 0 || check_range_end(opt, f->hi, err) != 0))
        return -1;
    f->bottom = f->lo;
    f->seats = scn->sites.strategy == SITES_SEATS;
    /* generated placements of sites.count are nested (sites.h); file was refused above */
    f->partial_probes = strcmp(opt->find_min, "sites.count") == 0 && !opt->full_probes;
    run->has_find_min = 1;
    run->name = strdup(scn->info.name);
    *run->goal = scn->goal;
    return run->name ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
}

/* What a probe at v must judge: the recheck set of the done probe with
 * the largest value below v that failed (NULL: every township, when
 * there is none or partial probes are off). */
static const unsigned char *judge_set(const struct sweep_run *run, long v)
{
    const struct sweep_table *t = &run->table;
    const unsigned char *set = NULL;
    long best = 0;
    for (long i = 0; run->find_min.partial_probes && i < t->n; i++) {
        const struct sweep_member *m = &t->m[i];
        long u = atol(m->probe);
        if (m->done && !m->goal_met && m->recheck && u < v && (!set || u > best)) {
            set = m->recheck;
            best = u;
        }
    }
    return set;
}

/* The member probing value v (run once; a value probed again is looked
 * up). Returns its index, or -1 with err. */
static long probe(struct sweep_run *run, long v, struct tc_error *err)
{
    struct sweep_table *t = &run->table;
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    for (long i = 0; i < t->n; i++)
        if (strcmp(t->m[i].probe, text) == 0)
            return i;
    struct sweep_member *m = sweep_table_add_member(t, err);
    if (!m)
        return -1;
    if (sweep_member_set_probe(m, text) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    m->cost = (double)v;
    long i = t->n - 1;
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted");
    run->judge_only = judge_set(run, v);
    int rc = sweep_member_run(run, i, err);
    run->judge_only = NULL;
    if (rc != 0)
        return -1; /* left not done: the files skip it */
    if (run->opt->progress)
        sweep_member_progress(run, i, run->opt->log);
    return i;
}

static int probe_met(struct sweep_run *run, long v, int *met, struct tc_error *err)
{
    long i = probe(run, v, err);
    if (i < 0)
        return -1;
    *met = run->table.m[i].goal_met;
    return 0;
}

/* Finds a top that meets the goal, doubling (only without --range). */
static int find_top(struct sweep_run *run, const struct key_desc *d, int *met,
                    struct tc_error *err)
{
    struct sweep_find_min *f = &run->find_min;
    if (probe_met(run, f->hi, met, err) != 0)
        return -1;
    for (int k = 0; !*met && run->opt->range_hi <= 0 && k < MAX_DOUBLINGS && f->hi < d->max;
         k++) {
        f->lo = f->hi;
        f->hi = (long)fmin(2.0 * (double)f->hi, d->max);
        if (probe_met(run, f->hi, met, err) != 0)
            return -1;
    }
    return 0;
}

static int by_value(const void *a, const void *b)
{
    const struct sweep_member *x = *(const struct sweep_member *const *)a;
    const struct sweep_member *y = *(const struct sweep_member *const *)b;
    long vx = atol(x->probe), vy = atol(y->probe);
    return (vx > vy) - (vx < vy);
}

void sweep_find_min_check(struct sweep_run *run)
{
    struct sweep_table *t = &run->table;
    struct sweep_find_min *f = &run->find_min;
    f->monotone = 1;
    const struct sweep_member **order = malloc(sizeof *order * (size_t)(t->n + 1));
    if (!order)
        return;
    long n = 0;
    for (long i = 0; i < t->n; i++)
        if (t->m[i].done)
            order[n++] = &t->m[i];
    qsort(order, (size_t)n, sizeof *order, by_value);
    for (long i = 1; i < n; i++) {
        const struct sweep_member *a = order[i - 1], *b = order[i];
        /* a partial probe's shares are unknown (NAN): its failing count only */
        int shares = !a->partial && !b->partial;
        if (b->n_failing <= a->n_failing && b->goal_met >= a->goal_met &&
            (!shares || (b->covered_share >= a->covered_share &&
                         b->seat_share >= a->seat_share)))
            continue;
        f->monotone = 0;
        if (f->n_warnings++ < 5)
            fprintf(run->opt->log, "towncov: warning: --find-min: not monotone: %s=%s gives %d "
                    "failing, %.4f%% covered; %s=%s gives %d failing, %.4f%% covered\n",
                    f->key, a->probe, a->n_failing, 100 * a->covered_share, f->key,
                    b->probe, b->n_failing, 100 * b->covered_share);
    }
    free(order);
}

int sweep_find_min(struct sweep_run *run, struct tc_error *err)
{
    struct sweep_find_min *f = &run->find_min;
    const struct key_desc *d = scenario_find_key(f->key);
    int met = 0;
    int rc = find_top(run, d, &met, err);
    f->top = f->hi;
    /* One station a seat first: the map (loaded by now) sets the bottom. */
    long townships = run->table.n > 0 ? run->table.m[0].n_townships : 0;
    if (rc == 0 && f->seats && f->lo < townships && run->opt->range_hi <= 0)
        f->bottom = f->lo = townships < f->hi ? townships : f->hi;
    if (rc == 0 && met && f->lo < f->hi) {
        int met_lo = 0;
        rc = probe_met(run, f->lo, &met_lo, err);
        if (rc == 0 && met_lo)
            f->hi = f->lo; /* met already at the bottom */
    }
    long lo = f->lo, hi = f->hi;
    while (rc == 0 && met && hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        int met_mid = 0;
        rc = probe_met(run, mid, &met_mid, err);
        *(met_mid ? &hi : &lo) = mid;
    }
    f->found = rc == 0 && met;
    f->value = f->found ? hi : 0;
    sweep_find_min_check(run);
    if (rc == 0 && !run->opt->quiet) {
        if (!f->found)
            printf("goal not met up to %s = %ld\n", f->key, f->top);
        else if (strcmp(f->key, "sites.count") == 0)
            printf("goal met from %ld stations\n", f->value);
        else
            printf("goal met from %s = %ld\n", f->key, f->value);
    }
    return rc;
}
