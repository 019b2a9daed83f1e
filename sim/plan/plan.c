/* plan.c — `towncov plan`'s stage driver (see plan.h): the run's stages up
 * to the goal, the candidates and their footprints, the greedy, the bound,
 * the files, and the check run of the planned scenario. */
#include "towncov/plan.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/export.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/output.h"
#include "towncov/pipeline.h"
#include "towncov/radio.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

#include "plan_output.h"

const char *const plan_phase_names[PLAN_PHASES] = {"judge", "candidates", "mip", "greedy",
                                                   "check"};

/* A file the scenario names, as an absolute path (planned.ini lives
 * elsewhere); "" stays "". */
static int absolute(const char *base_dir, char *file, size_t size, struct tc_error *err)
{
    if (!file[0] || file[0] == '/')
        return 0;
    char joined[2 * TC_STR_MAX + 2], real[PATH_MAX];
    snprintf(joined, sizeof joined, "%s/%s", base_dir[0] ? base_dir : ".", file);
    if (!realpath(joined, real))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot resolve", joined);
    if (strlen(real) >= size || strlen(real) > 150)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: path too long for planned.ini", real);
    snprintf(file, size, "%s", real);
    return 0;
}

/* The planned scenario: scn with its stations in planned_sites.csv beside
 * planned.ini, and every other path absolute. */
static int planned_scenario(const struct scenario *scn, struct scenario *out,
                            struct tc_error *err)
{
    *out = *scn;
    if (absolute(scn->base_dir, out->map.file, sizeof out->map.file, err) ||
        absolute(scn->base_dir, out->seat.areas_file, sizeof out->seat.areas_file, err) ||
        absolute(scn->base_dir, out->seat.key_points, sizeof out->seat.key_points, err) ||
        absolute(scn->base_dir, out->map.population, sizeof out->map.population, err) ||
        absolute(scn->base_dir, out->terrain.dem, sizeof out->terrain.dem, err))
        return -1;
    out->sites.strategy = SITES_FILE;
    snprintf(out->sites.file, sizeof out->sites.file, "planned_sites.csv");
    snprintf(out->sites.encoding, sizeof out->sites.encoding, "utf-8");
    out->sites.id_field[0] = out->sites.lon_field[0] = out->sites.lat_field[0] = '\0';
    out->sites.filter[0] = '\0';
    out->output.dir[0] = '\0';
    return 0;
}

static char *out_dir_of(const struct scenario *scn, const struct plan_options *opt)
{
    char *dir = NULL;
    if (opt->out_dir)
        return strdup(opt->out_dir);
    return asprintf(&dir, "out/%s-plan", scn->info.name) < 0 ? NULL : dir;
}

static int by_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The check: the ordinary pipeline on tmp/planned.ini into tmp/check,
 * with its tables, layers and map.png but without the signal rasters
 * (unless map.png is drawn from one): the goal is judged on the polygons,
 * and the rasters were half the check's time (planned.ini still has them). */
static int check_run(const char *tmp, const struct plan_options *opt, long n_added,
                     struct plan_result *r, struct export_postgis **pg, struct tc_error *err)
{
    struct export_whole_texts fixes = {"added_sites", "fixes", r->n_added, r->fixes};
    char *ini = outdir_join(tmp, "planned.ini"), *out = outdir_join(tmp, "check"),
         *added = outdir_join(tmp, "added_sites.shp");
    struct scenario *scn = malloc(sizeof *scn);
    int rc = !ini || !out || !added || !scn ? tc_fail(err, TC_EXIT_RESOURCE, "out of memory")
                                             : 0;
    if (rc == 0 && scenario_load(ini, NULL, 0, scn, err) != 0)
        rc = -1;
    if (rc == 0 && scn->output.picture_layer == PICTURE_COVERAGE)
        scn->raster.resolution_m = 0;
    struct run_options ro = {.threads = opt->threads, .out_dir = out, .quiet = 1,
                             .log = opt->log, .progress = 0,
                             .marked_sites = n_added,
                             .extra_layer = added, /* to PostGIS with the run's */
                             .extra_texts = &fixes,
                             .postgis_open = pg};  /* committed after plan.json */
    struct run_state st;
    double seconds[PHASE_COUNT];
    if (rc == 0 && (rc = pipeline_run_kept(scn, &ro, &st, seconds, err)) == 0) {
        r->check_met = st.verdict.met;
        r->check_checksum = report_checksum(st.map, st.results);
        r->people_after = st.verdict.population_covered;
        pipeline_state_free(&st);
    }
    free(scn);
    free(ini);
    free(out);
    free(added);
    return rc;
}

/* Counties of the added stations, most first, into the summary. */
static void print_counties(const struct plan_result *r)
{
    const struct tc_map *map = r->map;
    long *count = calloc((size_t)map->n_counties + 1, sizeof *count);
    const char **name = calloc((size_t)map->n_counties + 1, sizeof *name);
    for (long k = 0; count && name && k < r->n_added; k++) {
        int t = r->cand->township[r->added[k]];
        if (t >= 0) {
            count[map->t[t].county_id]++;
            name[map->t[t].county_id] = map->t[t].county[0] ? map->t[t].county : "(no county)";
        }
    }
    for (int shown = 0; count && name && shown < 10; shown++) {
        int best = -1;
        for (int c = 0; c < map->n_counties; c++)
            if (count[c] > 0 && (best < 0 || count[c] > count[best]))
                best = c;
        if (best < 0)
            break;
        printf("  %-24s %ld\n", name[best], count[best]);
        count[best] = 0;
    }
    free(count);
    free(name);
}

static void print_summary(const struct plan_result *r, const struct goal_config *goal)
{
    char crit[256];
    goal_criterion(goal, crit, sizeof crit);
    printf("towncov plan: %s\n", r->scenario_path);
    if (r->failing_before == 0) {
        printf("before: every township meets the goal; nothing to add (empty plan)\n");
    } else {
        printf("before: %d townships %s\n", r->failing_before, crit);
        printf("candidates: %ld (%s", r->plan->n_cand, r->candidates_from);
        if (!strcmp(r->candidates_from, "lattice"))
            printf(", spacing %.0f m", r->spacing_m);
        printf("), %ld gains evaluated\n", r->plan->evaluations);
        const struct plan_bound *b = &r->bound;
        printf("plan: %ld added (%ld from the optimal components' MIPs, greedy %ld, %ld "
               "dropped again", r->n_added, r->plan->n_fixed, r->plan->n_greedy,
               r->plan->n_dropped);
        if (r->plan->n_trimmed)
            printf(", %ld cut by --max-added", r->plan->n_trimmed);
        printf(")\n");
        printf("components: %d, %d solved to optimality", b->components,
               b->by_status[COMP_OPTIMAL]);
        for (int s = 1; s < COMP_STATUSES; s++)
            if (b->by_status[s])
                printf(", %d %s (greedy)", b->by_status[s], plan_comp_status_names[s]);
        printf(" (%.0f s limit each)\n", r->plan->mip.seconds);
        printf("%s at least %ld on the %.0f m discretisation (LP bound %.3f)",
               r->plan->n_trimmed ? "fixing every fixable township needs" : "needed:", b->bound,
               b->step_m, b->lp);
        if (!r->plan->n_trimmed)
            printf("; gap %.1f %%", r->gap_percent);
        printf("\n");
        printf("after (planned): %d townships still fail, %d of them unfixable by any "
               "candidate\n", r->failing_after, r->unfixable);
        if (r->n_added > 0) {
            printf("added stations by county:\n");
            print_counties(r);
        }
    }
    if (r->check_ran)
        printf("check (towncov run planned.ini): goal %s\n", r->check_met ? "met" : "NOT met");
    if (r->has_people)
        printf("people covered: %.2f %% before, %.2f %% with the plan (of %.0f)\n",
               100 * r->people_before / r->people, r->check_ran ? 100 * r->people_after /
               r->people : 100 * r->people_before / r->people, r->people);
    printf("seconds:");
    for (int k = 0; k < PLAN_PHASES; k++)
        printf(" %s %.2f", plan_phase_names[k], r->seconds[k]);
    printf("\n");
}

/* The bound over the components, and each one's share of the plan. */
static void sum_components(struct plan *p, struct plan_bound *b)
{
    struct plan_mip *m = &p->mip;
    long *comp_of = calloc((size_t)p->n_cand + 1, sizeof *comp_of);
    *b = (struct plan_bound){.components = m->n, .points = m->points, .step_m = m->step_m};
    for (int q = 0; q < m->n; q++) {
        struct plan_comp *c = &m->c[q];
        b->bound += c->bound;
        b->lp += c->lp;
        b->by_status[c->status]++;
        for (long k = 0; comp_of && k < c->n_cand; k++)
            comp_of[c->cand[k]] = q + 1;
    }
    for (long k = 0; comp_of && k < p->n_added; k++) {
        long q = comp_of[p->added[k]] - 1;
        if (q >= 0) {
            m->c[q].added++;
            m->c[q].repaired += k >= p->n_fixed && m->c[q].status == COMP_OPTIMAL;
        }
    }
    free(comp_of);
}

/* Candidates, their footprints, the MIPs and the greedy. */
static int solve(const struct scenario *scn, const struct plan_options *opt,
                 struct run_state *st, struct plan *p, struct tc_sites **cand,
                 struct tc_footprints **all, struct plan_result *r, struct tc_error *err)
{
    double t0 = tc_now();
    struct radio_model *radio = radio_model_new(&scn->radio, err);
    if (!radio)
        return -1;
    double spacing = opt->spacing_m > 0 ? opt->spacing_m
                                        : plan_default_spacing(st->map, &st->verdict, radio);
    r->spacing_m = spacing;
    int rc = 0;
    if (!(spacing > 0))
        rc = tc_fail(err, TC_EXIT_USAGE, "the radio model gives no range: give --spacing");
    if (rc == 0)
        *cand = plan_candidates(st->map, st->seats, &st->verdict, opt->candidates, spacing,
                                opt->log, err);
    struct tc_footprints *cfp = *cand ? footprints_build(radio, st->map, *cand, opt->threads, err)
                                      : NULL;
    /* Over terrain the candidates' footprints follow the ground as the
     * existing stations' do (the DEM the judge read), so that a candidate
     * behind a ridge does not claim the valley beyond it. */
    if (cfp && st->dem &&
        footprints_over_terrain(&cfp, radio, st->dem, &scn->terrain, st->map, *cand,
                                opt->threads, opt->log, NULL, err) != 0)
        footprints_free(&cfp);
    radio_model_free(&radio);
    if (!cfp)
        return -1;
    *all = footprints_concat(st->fp, cfp);
    footprints_free(&cfp);
    if (!*all)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the candidates' footprints");
    *p = (struct plan){.map = st->map, .seats = st->seats, .engine = scn->coverage.engine,
                       .all = *all, .n_exist = st->fp->n, .n_cand = (*cand)->n,
                       .threads = opt->threads};
    r->seconds[PLAN_CANDIDATES] = tc_now() - t0;
    t0 = tc_now();
    if (!(p->ws = cov_workers_new(opt->threads, scn->coverage.engine, err)) ||
        plan_setup(p, &st->verdict, scn->goal.seat_area_min_fraction, err) != 0 ||
        plan_mip(p, spacing / PLAN_GRID_DIVISOR, opt->mip_seconds, err) != 0 ||
        plan_place_fixed(p, err) != 0)
        return -1;
    r->seconds[PLAN_MIP] = tc_now() - t0;
    t0 = tc_now();
    if (plan_greedy(p, opt->max_added, err) != 0)
        return -1;
    r->seconds[PLAN_GREEDY] = tc_now() - t0;
    sum_components(p, &r->bound);
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while planning");
    return 0;
}

static int write_plan(const struct scenario *scn, const struct plan_options *opt,
                      const char *dir, struct plan_result *r, struct tc_error *err)
{
    struct scenario *planned = malloc(sizeof *planned);
    char *tmp = NULL;
    int rc = planned ? planned_scenario(scn, planned, err)
                     : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0 && !(r->fixes = plan_fixes_new(r)))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0)
        rc = outdir_begin(dir, "plan", &tmp, err);
    if (rc == 0)
        rc = plan_write_sites(tmp, r, err);
    if (rc == 0)
        rc = plan_write_ini(tmp, planned, err);
    if (rc == 0)
        rc = plan_write_layer(tmp, r, err);
    double t0 = tc_now();
    struct export_postgis *pg = NULL; /* the check run's tables, not yet committed */
    if (rc == 0 && (rc = check_run(tmp, opt, r->n_added, r, &pg, err)) == 0)
        r->check_ran = 1;
    r->seconds[PLAN_CHECK] = tc_now() - t0;
    if (rc == 0)
        rc = plan_write_project(tmp, r, scn, err);
    if (rc == 0)
        rc = plan_write_json(tmp, r, err);
    /* PostGIS last, once the new folder stands: a plan that failed
     * (plan.json, the project, an interrupt) leaves the earlier tables, as
     * the folder, and a failed commit puts the earlier folder back */
    if (rc == 0)
        rc = outdir_commit_last(&tmp, dir, export_postgis_commit_last, &pg, err);
    export_postgis_abort(&pg);
    outdir_abort(&tmp);
    plan_fixes_free(&r->fixes, r->n_added);
    free(planned);
    return rc;
}

/* Refuses an output folder that holds any file the plan reads (the
 * scenario's, the candidates) before any work. */
static int check_inputs(const struct scenario *scn, const struct plan_options *opt,
                        const char *dir, struct tc_error *err)
{
    struct outdir_inputs in = {0};
    int rc = scenario_inputs(scn, &in, err);
    if (rc == 0)
        rc = outdir_inputs_add(&in, NULL, opt->candidates, err);
    if (rc == 0)
        rc = outdir_check_inputs(dir, &in, err);
    outdir_inputs_free(&in);
    return rc;
}

int plan_run(const struct scenario *scn, const struct plan_options *opt, int *all_met,
             struct tc_error *err)
{
    char *dir = out_dir_of(scn, opt);
    if (!dir)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (check_inputs(scn, opt, dir, err) != 0) {
        free(dir);
        return -1;
    }
    struct run_state st;
    struct plan p = {0};
    struct tc_sites *cand = NULL;
    struct tc_footprints *all = NULL;
    struct plan_result r = {.scenario_path = scn->path,
                            .candidates_from = opt->candidates ? opt->candidates : "lattice"};
    double t0 = tc_now(), phases[PHASE_COUNT];
    struct run_options ro = {.threads = opt->threads, .quiet = 1, .log = opt->log,
                             .progress = opt->progress};
    int rc = pipeline_judge(scn, &ro, &st, phases, err);
    if (rc != 0) {
        free(dir);
        return -1;
    }
    r.seconds[PLAN_JUDGE] = tc_now() - t0;
    r.map = st.map;
    r.existing = st.sites;
    r.failing_before = st.verdict.n_failing;
    r.has_people = st.map->has_population && st.verdict.population > 0;
    r.people = st.verdict.population;
    r.people_before = st.verdict.population_covered;
    double *area = NULL;
    if (st.verdict.n_failing > 0) {
        rc = solve(scn, opt, &st, &p, &cand, &all, &r, err);
        r.cand = cand;
        r.plan = &p;
    }
    if (rc == 0 && p.nf > 0) {
        r.added = malloc(sizeof *r.added * ((size_t)p.n_added + 1));
        area = malloc(sizeof *area * (size_t)p.nf);
        if (!r.added || !area)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        for (long k = 0; rc == 0 && k < p.n_added; k++)
            r.added[k] = p.added[k];
        if (rc == 0)
            qsort(r.added, (size_t)p.n_added, sizeof *r.added, by_long);
        r.n_added = p.n_added;
        for (int f = 0; rc == 0 && f < p.nf; f++) {
            area[f] = st.seats->area_m2[p.town[f]];
            r.failing_after += !plan_slot_met(&p, f);
            r.unfixable += !p.fixable[f];
        }
        r.seats_area = area;
        r.gap_percent = r.n_added > 0 ? 100.0 * (double)(r.n_added - r.bound.bound) /
                                            (double)r.n_added : 0;
    }
    if (rc == 0)
        rc = write_plan(scn, opt, dir, &r, err);
    if (rc == 0 && !opt->quiet)
        print_summary(&r, &scn->goal);
    if (rc == 0)
        *all_met = r.check_met;
    free(area);
    free(r.added);
    plan_free(&p);
    footprints_free(&all);
    sites_free(&cand);
    pipeline_state_free(&st);
    free(dir);
    return rc;
}
