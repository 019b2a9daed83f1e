/* pipeline.c — one run, stage after stage (see pipeline.h). */
#include "towncov/pipeline.h"

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "towncov/coverage.h"
#include "towncov/export.h"
#include "towncov/keypoints.h"
#include "towncov/seat.h"
#include "towncov/verify.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/picture.h"
#include "towncov/projection.h"
#include "towncov/raster.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"
#include "towncov/terrain.h"

static const char *const phase_names[PHASE_COUNT] = {"load", "place", "footprints",
                                                     "coverage", "goal", "report"};

const char *phase_name(enum phase p)
{
    return phase_names[p];
}

static int interrupted(struct tc_error *err)
{
    return tc_interrupted() ? tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted") : 0;
}

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

/* Bytes the later stages will hold for n stations: placement, footprints
 * (generated stations share their kind's shape, so a footprint is its
 * place, shape and envelope) and the index. Checked before anything is
 * allocated so an absurd sites.count fails at once. */
static double memory_estimate(long n_sites, int n_townships, double shape_bytes)
{
    double per_site = sites_bytes_estimate(1) + 6 * sizeof(double) + sizeof(int) +
                      4 * sizeof(long) + shape_bytes;
    return (double)n_sites * per_site + (double)n_townships * 256.0;
}

/* On a map wider than a province each station may have a shape of its own
 * (drawn at its scale; see projection.h), and over terrain every station
 * has: its vertices, facts, hash and offset, and two slots of the shape
 * table. */
static double own_shape_bytes(const struct scenario *scn, const struct tc_map *map)
{
    if (!(map->scale_error > PROJECTION_SCALE_TOL) && scn->terrain.model == TERRAIN_NONE)
        return 0;
    return 2.0 * sizeof(double) * radio_footprint_max_vertices(&scn->radio) +
           sizeof(struct radio_range_info) + sizeof(uint64_t) + 3 * sizeof(long);
}

static int check_memory(const struct scenario *scn, const struct run_options *opt,
                        const struct tc_map *map, struct tc_error *err)
{
    if (scn->sites.strategy == SITES_FILE)
        return 0; /* bounded by the file's size, which is already on disk */
    long n = scn->sites.count;
    double need = memory_estimate(n, map->n, own_shape_bytes(scn, map));
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (!opt->quiet)
        fprintf(opt->log, "towncov: memory estimate %.0f MB for %ld stations (machine: %.0f MB)\n",
                need / 1e6, n, have / 1e6);
    if (have > 0 && need > 0.8 * have)
        return tc_fail(err, TC_EXIT_RESOURCE,
                       "%ld stations would need about %.1f GB of memory; this machine has "
                       "%.1f GB (lower sites.count)", n, need / 1e9, have / 1e9);
    return 0;
}

/* The output folder, malloc'd: --out, else [output] dir, else out/<name>. */
static char *out_dir_of(const struct scenario *scn, const struct run_options *opt)
{
    char *dir = NULL;
    if (opt->out_dir)
        return strdup(opt->out_dir);
    if (scn->output.dir[0])
        return strdup(scn->output.dir);
    return asprintf(&dir, "out/%s", scn->info.name) < 0 ? NULL : dir;
}

/* A file the run reads, as the loaders find it: relative to the scenario's
 * folder unless absolute. */
static char *input_path(const char *base_dir, const char *file)
{
    if (file[0] == '/' || !base_dir[0] || strcmp(base_dir, ".") == 0)
        return strdup(file);
    return outdir_join(base_dir, file);
}

/* Refuses an output folder towncov may not replace before any work: the
 * folders of the scenario, the map and the sites file are among those. */
static int check_out_dir(const struct scenario *scn, const char *dir, struct tc_error *err)
{
    char *map = input_path(scn->base_dir, scn->map.file);
    char *sites = scn->sites.strategy == SITES_FILE ? input_path(scn->base_dir, scn->sites.file)
                                                    : NULL;
    const char *inputs[] = {scn->path, map, sites};
    int rc = !map || (scn->sites.strategy == SITES_FILE && !sites)
                 ? tc_fail(err, TC_EXIT_OUTPUT, "out of memory")
                 : outdir_check(dir, inputs, 3, err);
    free(map);
    free(sites);
    return rc;
}

/* The QGIS layers and the picture read the results and write files of
 * their own: they run side by side, the picture being one thread's work
 * and the layers' writing mostly serial too. The layers keep their own
 * threads (a nested team). Errors are reported layers first. */
static int write_layers_and_picture(const char *tmp, struct run_outcome *out, int threads,
                                    struct tc_error *err)
{
    const struct output_config *oc = out->output;
    char *png = outdir_join(tmp, "map.png");
    if (!png)
        return tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    struct tc_error picture_err = {0};
    int layers_rc = 0, picture_rc = 0;
    int levels = omp_get_max_active_levels();
    omp_set_max_active_levels(2);
    #pragma omp parallel sections num_threads(threads > 1 && oc->layers && oc->picture ? 2 : 1)
    {
        #pragma omp section
        if (oc->layers)
            layers_rc = export_layers(tmp, out, threads, err);
        #pragma omp section
        if (oc->picture)
            picture_rc = picture_draw(png, out, &picture_err);
    }
    omp_set_max_active_levels(levels);
    free(png);
    if (layers_rc != 0)
        return layers_rc;
    if (picture_rc != 0)
        *err = picture_err;
    return picture_rc;
}

/* Writes one report file, name, into tmp. */
static int write_report(const char *tmp, const char *name,
                        int (*writer)(const char *, const struct run_outcome *,
                                      struct tc_error *),
                        const struct run_outcome *out, struct tc_error *err)
{
    char *path = outdir_join(tmp, name);
    int rc = path ? writer(path, out, err) : tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    free(path);
    return rc;
}

/* Writes every output into a temporary folder and swaps it into place:
 * reports, QGIS layers and the picture, then summary.json last so that it
 * can say how long the report phase took. */
static int write_outputs(const struct scenario *scn, struct run_state *st,
                         struct run_outcome *out, const char *dir, int threads, double t0,
                         const struct run_options *opt, struct tc_error *err)
{
    char *tmp;
    if (outdir_begin(dir, "run", &tmp, err) != 0)
        return -1;
    int rc = 0;
    /* The signal rasters first: the QGIS project lists them. */
    if (scn->raster.resolution_m > 0 && scn->radio.model != RADIO_LINK) {
        if (!opt->quiet) /* the disc model has no received power */
            fprintf(opt->log, "towncov: note: no signal rasters: they need radio.model = link\n");
    } else {
        rc = raster_write(tmp, &scn->raster, st->radio, out->map, out->sites, out->fp,
                          out->results, threads, &st->raster, err);
    }
    out->raster = &st->raster;
    if (rc == 0)
        rc = write_report(tmp, "townships.csv", report_write_csv, out, err);
    if (rc == 0)
        rc = write_report(tmp, "sites.csv", report_write_sites_csv, out, err);
    if (rc == 0 && out->seats->keys->n > 0)
        rc = write_report(tmp, "key_points.csv", report_write_key_points_csv, out, err);
    if (rc == 0)
        rc = write_layers_and_picture(tmp, out, threads, err);
    out->seconds[PHASE_REPORT] = tc_now() - t0;
    if (rc == 0)
        rc = write_report(tmp, "summary.json", report_write_json, out, err);
    if (rc == 0)
        rc = interrupted(err);
    if (rc == 0)
        rc = outdir_commit(&tmp, dir, err);
    outdir_abort(&tmp); /* nothing left after a commit */
    return rc;
}

struct pipeline_cache {
    struct map_config map_cfg;
    struct seat_config seat_cfg;
    char base_dir[TC_STR_MAX];
    struct tc_map *map;          /* NULL until the first load */
    struct tc_seat_areas *seats; /* of map; NULL until built */
    double load_seconds;
    /* The last member's stations, footprints and coverage on this map and
     * these seats, with the keys they came from: a member that varies
     * only what comes after (the goal, the outputs) judges them again. */
    struct sites_config sites_cfg;
    struct radio_config radio_cfg;
    struct terrain_config terrain_cfg;
    struct cov_config cov_cfg;
    long seed;
    struct tc_sites *sites;      /* NULL: none kept */
    struct radio_model *radio;
    struct tc_footprints *fp;
    struct cov_result *results;
};

/* Drops the kept stations, footprints and coverage. */
static void cache_drop_results(struct pipeline_cache *c)
{
    free(c->results);
    footprints_free(&c->fp);
    radio_model_free(&c->radio);
    sites_free(&c->sites);
    c->results = NULL;
}

struct pipeline_cache *pipeline_cache_new(void)
{
    return calloc(1, sizeof(struct pipeline_cache));
}

void pipeline_cache_free(struct pipeline_cache **cache)
{
    if (!*cache)
        return;
    cache_drop_results(*cache);
    seat_areas_free(&(*cache)->seats);
    map_free(&(*cache)->map);
    free(*cache);
    *cache = NULL;
}

double pipeline_cache_load_seconds(const struct pipeline_cache *cache)
{
    return cache->load_seconds;
}

/* The scenario's map, loaded and verified. */
static struct tc_map *load_map(const struct scenario *scn, const struct run_options *opt,
                               struct tc_error *err)
{
    struct tc_map *map = map_load(&scn->map, scn->base_dir, opt->threads, opt->log, err);
    if (map && verify_map(map, err) != 0)
        map_free(&map);
    return map;
}

/* The cache's map and seats when scn's keys are the ones they were built
 * from, else built anew into the cache. The configs are compared byte for
 * byte: scenario_defaults zeroes them whole, padding and unused text
 * included, so equal keys give equal bytes. */
static int cached_map_and_seats(struct pipeline_cache *c, const struct scenario *scn,
                                const struct run_options *opt, struct tc_error *err)
{
    double t0 = tc_now();
    int same_map = c->map && memcmp(&c->map_cfg, &scn->map, sizeof scn->map) == 0 &&
                   strcmp(c->base_dir, scn->base_dir) == 0;
    if (!same_map) {
        cache_drop_results(c);
        seat_areas_free(&c->seats);
        map_free(&c->map);
        c->map = load_map(scn, opt, err);
        if (!c->map)
            return -1;
        c->map_cfg = scn->map;
        snprintf(c->base_dir, sizeof c->base_dir, "%s", scn->base_dir);
    }
    if (!c->seats || memcmp(&c->seat_cfg, &scn->seat, sizeof scn->seat) != 0) {
        cache_drop_results(c);
        seat_areas_free(&c->seats);
        c->seats = seat_areas_build(&scn->seat, c->map, scn->base_dir, opt->threads, opt->log,
                                    err);
        if (!c->seats)
            return -1;
        c->seat_cfg = scn->seat;
    }
    c->load_seconds += tc_now() - t0;
    return 0;
}

/* The load phase: the map and its seat areas (which belong to the map:
 * read or modelled here), from the cache when the run has one. */
static int load_stage(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, struct tc_error *err)
{
    if (opt->cache) {
        if (cached_map_and_seats(opt->cache, scn, opt, err) != 0)
            return -1;
        st->map = opt->cache->map;
        st->seats = opt->cache->seats;
        st->cached_map = 1;
        return 0;
    }
    st->map = load_map(scn, opt, err);
    if (!st->map)
        return -1;
    st->seats = seat_areas_build(&scn->seat, st->map, scn->base_dir, opt->threads, opt->log, err);
    return st->seats ? 0 : -1;
}

/* Whether the cache holds the coverage scn would compute: the same map
 * and seats (load_stage made sure), stations, radio and engine keys. */
static int cache_has_results(const struct pipeline_cache *c, const struct scenario *scn)
{
    return c->results && c->seed == scn->info.seed &&
           memcmp(&c->sites_cfg, &scn->sites, sizeof scn->sites) == 0 &&
           memcmp(&c->radio_cfg, &scn->radio, sizeof scn->radio) == 0 &&
           memcmp(&c->terrain_cfg, &scn->terrain, sizeof scn->terrain) == 0 &&
           memcmp(&c->cov_cfg, &scn->coverage, sizeof scn->coverage) == 0;
}

static void borrow_results(struct run_state *st, const struct pipeline_cache *c)
{
    st->sites = c->sites;
    st->radio = c->radio;
    st->fp = c->fp;
    st->results = c->results;
    st->cached_results = 1;
}

/* Hands what st computed to the cache (it keeps it for the next member)
 * and borrows it back. */
static void keep_results(struct pipeline_cache *c, const struct scenario *scn,
                         struct run_state *st)
{
    cache_drop_results(c);
    c->sites_cfg = scn->sites;
    c->radio_cfg = scn->radio;
    c->terrain_cfg = scn->terrain;
    c->cov_cfg = scn->coverage;
    c->seed = scn->info.seed;
    c->sites = st->sites;
    c->radio = st->radio;
    c->fp = st->fp;
    c->results = st->results;
    st->cached_results = 1;
}

/* Place, footprints, coverage: the stations, what each covers and how
 * much of each township. */
static int coverage_stages(const struct scenario *scn, const struct run_options *opt,
                           struct run_state *st, struct run_outcome *out, int keep_parts,
                           struct tc_error *err)
{
    phase_begin(opt, st, PHASE_PLACE);
    st->sites = sites_place(&scn->sites, st->map, (unsigned long long)scn->info.seed,
                            scn->base_dir, opt->threads, opt->log, err);
    if (!st->sites || interrupted(err))
        return -1;
    phase_end(out, st, PHASE_PLACE);
    if (verify_sites(st->map, st->sites, scn->sites.strategy == SITES_FILE &&
                     scn->sites.outside == SITES_OUTSIDE_KEEP, err) != 0)
        return -1;

    phase_begin(opt, st, PHASE_FOOTPRINTS);
    st->radio = radio_model_new(&scn->radio, err);
    st->fp = st->radio ? footprints_build(st->radio, st->map, st->sites, opt->threads, err) : NULL;
    if (!st->fp || interrupted(err))
        return -1;
    if (scn->terrain.model != TERRAIN_NONE &&
        footprints_terrain_stage(&st->fp, st->radio, &scn->terrain, scn->base_dir, st->map,
                                 st->sites, opt->threads, opt->log, &st->dem, NULL, err) != 0)
        return -1;
    phase_end(out, st, PHASE_FOOTPRINTS);

    phase_begin(opt, st, PHASE_COVERAGE);
    st->results = calloc((size_t)st->map->n, sizeof *st->results);
    if (!st->results)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    /* The coverage layer is drawn from the engine's own rings: kept now,
     * only when the layers are wanted. */
    if (cov_compute(&scn->coverage, st->map, st->sites, st->fp, st->seats, opt->threads,
                    st->results, keep_parts ? &st->parts : NULL, err))
        return -1;
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
    if (load_stage(scn, opt, st, err) != 0 || interrupted(err))
        return -1;
    phase_end(out, st, PHASE_LOAD);
    if (check_memory(scn, opt, st->map, err) != 0)
        return -1;
    if (scn->radio.model == RADIO_LINK && raster_check_size(&scn->raster, st->map, err) != 0)
        return -1;

    int reuse = opt->cache && !keep_parts;
    if (reuse && cache_has_results(opt->cache, scn)) {
        borrow_results(st, opt->cache);
    } else {
        if (coverage_stages(scn, opt, st, out, keep_parts, err) != 0)
            return -1;
        if (reuse)
            keep_results(opt->cache, scn, st);
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
    if (check_out_dir(scn, dir, err) != 0)
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

    phase_begin(opt, st, PHASE_REPORT);
    if (write_outputs(scn, st, out, dir, opt->threads, st->t0, opt, err) != 0)
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
    };
    char *dir = out_dir_of(scn, opt);
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
