/* pipeline.c — one run, stage after stage (see pipeline.h): load, place,
 * footprints, coverage, goal, then the outputs. The sweep cache lives in
 * pipeline_cache.c and the output writing in pipeline_output.c. */
#include "pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/seat.h"
#include "towncov/verify.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/population.h"
#include "towncov/picture_text.h"
#include "towncov/raster.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"
#include "towncov/terrain.h"

static void phase_begin(const struct run_options *opt, struct run_state *st, enum phase p)
{
    st->t0 = tc_now();
    if (opt->progress)
        fprintf(opt->log, "towncov: %s ...\n", phase_name(p));
}

static void phase_end(struct run_outcome *out, struct run_state *st, enum phase p)
{
    out->seconds[p] = tc_now() - st->t0;
}

/* The load phase: the map and its seat areas (which belong to the map:
 * read or modelled here), from the cache when the run has one. */
static int load_stage(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, struct tc_error *err)
{
    if (opt->cache)
        return pipeline_cache_load(opt->cache, scn, opt, st, err);
    st->map = pipeline_load_map(scn, opt, err);
    if (!st->map)
        return -1;
    st->seats = seat_areas_build(&scn->seat, st->map, scn->base_dir, opt->threads, opt->log, err);
    return st->seats ? population_apply(&scn->map, scn->base_dir, st->map, st->seats, opt->log,
                                        err)
                     : -1;
}

/* run_options.judge_only: the coverage of those townships alone; the
 * others get what verify_coverage checks (their area, seat area and
 * stations) and nothing covered. */
static int judged_coverage(const struct scenario *scn, const struct run_options *opt,
                           struct run_state *st, struct tc_error *err)
{
    if (pipeline_check_coverage_memory(opt, st->map, st->fp, err) != 0 ||
        cov_compute_some(&scn->coverage, st->map, st->sites, st->fp, st->seats, opt->threads,
                         opt->judge_only, st->results, NULL, err) != 0)
        return -1;
    for (int t = 0; t < st->map->n; t++)
        if (!opt->judge_only[t]) {
            st->results[t].area_m2 = st->map->t[t].area_m2;
            st->results[t].seat_area_m2 = st->seats ? st->seats->area_m2[t] : 0;
        }
    return 0;
}

/* Place, footprints, coverage: the stations, what each covers and how
 * much of each township. */
static int coverage_stages(const struct scenario *scn, const struct run_options *opt,
                           struct run_state *st, struct run_outcome *out, int keep_parts,
                           struct tc_error *err)
{
    phase_begin(opt, st, PHASE_PLACE);
    /* placed and verified (run_mpi.c) */
    if (pipeline_place(scn, opt, st, err) != 0 || pipeline_interrupted(err))
        return -1;
    phase_end(out, st, PHASE_PLACE);

    phase_begin(opt, st, PHASE_FOOTPRINTS);
    if (!st->radio) /* else made by pipeline_place */
        st->radio = radio_model_new(&scn->radio, err);
    if (!st->radio || pipeline_footprints(scn, opt, st, err) != 0) /* run_mpi.c */
        return -1;
    phase_end(out, st, PHASE_FOOTPRINTS);

    phase_begin(opt, st, PHASE_COVERAGE);
    st->results = calloc((size_t)st->map->n, sizeof *st->results);
    if (!st->results)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    /* The coverage layer is drawn from the engine's own rings: kept now,
     * only when the layers are wanted. */
    if (opt->judge_only ? judged_coverage(scn, opt, st, err)
                        : pipeline_coverage(scn, opt, st, keep_parts, err)) /* run_mpi.c */
        return -1;
    population_cover(st->map, st->seats, st->results);
    phase_end(out, st, PHASE_COVERAGE);
    return verify_coverage(st->map, st->sites, st->results, err);
}

/* The stages up to the goal: load, place, footprints, coverage, goal.
 * With a cache, a run that keeps no covered parts (they feed the layers)
 * reuses the previous run's coverage when only later keys changed. */
static int judge_stages(const struct scenario *scn, const struct run_options *opt,
                        struct run_state *st, struct run_outcome *out, int keep_parts,
                        struct tc_error *err)
{
    phase_begin(opt, st, PHASE_LOAD);
    if (load_stage(scn, opt, st, err) != 0 || pipeline_interrupted(err))
        return -1;
    phase_end(out, st, PHASE_LOAD);
    if (pipeline_check_stations_memory(scn, opt, st->map, err) != 0)
        return -1;
    if (scn->radio.model == RADIO_LINK && raster_check_size(&scn->raster, st->map, err) != 0)
        return -1;

    int reuse = opt->cache && !keep_parts && !opt->judge_only;
    if (!(reuse && pipeline_cache_borrow(opt->cache, scn, st))) {
        if (coverage_stages(scn, opt, st, out, keep_parts, err) != 0)
            return -1;
        if (reuse)
            pipeline_cache_keep(opt->cache, scn, st);
    }

    phase_begin(opt, st, PHASE_GOAL);
    if (goal_judge(&scn->goal, st->map, st->results, &st->verdict, err) != 0)
        return -1;
    phase_end(out, st, PHASE_GOAL);
    return 0;
}

int pipeline_judge(const struct scenario *scn, const struct run_options *opt,
                   struct run_state *st, double seconds[PHASE_COUNT], struct tc_error *err)
{
    struct run_outcome out = {0};
    memset(st, 0, sizeof *st);
    int rc = judge_stages(scn, opt, st, &out, 0, err);
    for (int p = 0; p < PHASE_COUNT; p++)
        seconds[p] = out.seconds[p];
    if (rc != 0)
        pipeline_state_free(st);
    return rc;
}

void pipeline_state_free(struct run_state *st)
{
    goal_verdict_free(&st->verdict);
    terrain_dem_free(&st->dem);
    cov_parts_free(&st->parts);
    pipeline_split_free(&st->split);
    if (!st->cached_results) {
        free(st->results);
        footprints_free(&st->fp);
        radio_model_free(&st->radio);
        sites_free(&st->sites);
    }
    st->sites = NULL;
    st->fp = NULL;
    st->radio = NULL;
    if (!st->cached_map) {
        seat_areas_free(&st->seats);
        map_free(&st->map);
    }
    st->seats = NULL;
    st->map = NULL;
    st->results = NULL;
}

static int run_stages(const struct scenario *scn, const struct run_options *opt,
                      const char *dir, struct run_state *st, struct run_outcome *out,
                      struct tc_error *err)
{
    if (pipeline_check_out_dir(scn, dir, err) != 0)
        return -1;
    if (scn->output.picture && picture_fonts_prepare(err) != 0)
        return -1;
    if (judge_stages(scn, opt, st, out, scn->output.layers, err) != 0)
        return -1;

    out->map = st->map;
    out->sites = st->sites;
    out->fp = st->fp;
    out->seats = st->seats;
    out->results = st->results;
    out->parts = st->parts;
    out->verdict = &st->verdict;
    out->checksum = report_checksum(st->map, st->results);

    if (opt->rank > 0)
        return 0; /* a province-parallel run's other ranks: rank 0 writes */
    phase_begin(opt, st, PHASE_REPORT);
    if (pipeline_write_outputs(scn, st, out, dir, opt->threads, st->t0, opt, err) != 0)
        return -1;
    phase_end(out, st, PHASE_REPORT);
    return 0;
}

int pipeline_run_kept(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, double seconds[PHASE_COUNT], struct tc_error *err)
{
    memset(st, 0, sizeof *st);
    /* The writers see these pieces of the scenario, never all of it. */
    struct run_outcome out = {
        .info = {.name = scn->info.name, .scenario_path = scn->path, .seed = scn->info.seed,
                 .engine = scn->coverage.engine},
        .goal = &scn->goal,
        .radio = &scn->radio,
        .output = &scn->output,
        .threads = opt->threads,
        .marked_sites = opt->marked_sites,
        .extra_layer = opt->extra_layer,
        .extra_texts = opt->extra_texts,
    };
    char *dir = pipeline_out_dir(scn, opt);
    int rc = dir ? run_stages(scn, opt, dir, st, &out, err)
                 : tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    free(dir);
    if (rc == 0 && !opt->quiet)
        report_print_summary(stdout, &out);
    for (int p = 0; p < PHASE_COUNT; p++)
        seconds[p] = out.seconds[p];
    if (rc != 0)
        pipeline_state_free(st);
    return rc;
}

int pipeline_run(const struct scenario *scn, const struct run_options *opt, int *goal_met,
                 struct tc_error *err)
{
    struct run_state st;
    double seconds[PHASE_COUNT];
    int rc = pipeline_run_kept(scn, opt, &st, seconds, err);
    if (rc == 0)
        *goal_met = st.verdict.met;
    pipeline_state_free(&st);
    return rc;
}
