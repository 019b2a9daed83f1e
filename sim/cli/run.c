/* run.c — `towncov run`, `towncov link` and `towncov keys`: the commands
 * that load one scenario (or describe its keys). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/pipeline.h"
#include "towncov/progress.h"
#include "towncov/radio.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"
#include "towncov/terrain.h"

struct run_args {
    const char *scenario;
    struct cli_list sets;
    long threads;
    const char *out;
    const char *engine;
    int quiet, fail_on_goal;
};

#define SET_DOC "override a scenario key (repeatable; see\ntowncov-scenario(5) or towncov keys)"

static const struct cli_opt run_opts[] = {
    CLI_OPT_THREADS(struct run_args, threads),
    {"out", 0, CLI_TEXT, "DIR", 0, 0, offsetof(struct run_args, out),
     "output folder (default: [output] dir, else out/<name>);\n"
     "refused when it holds anything towncov did not write"},
    {"set", 0, CLI_LIST, "section.key=value", 0, 0, offsetof(struct run_args, sets), SET_DOC},
    {"engine", 0, CLI_TEXT, "NAME", 0, 0, offsetof(struct run_args, engine),
     "shorthand for --set coverage.engine=NAME"},
    {"quiet", 'q', CLI_FLAG, NULL, 0, 0, offsetof(struct run_args, quiet),
     "no summary, no progress; errors still go to stderr"},
    {"fail-on-goal", 0, CLI_FLAG, NULL, 0, 0, offsetof(struct run_args, fail_on_goal),
     "exit with status 1 when the goal is not met"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const run_synopsis[] = {"SCENARIO [options]", NULL};

const struct cli_cmd cli_run_cmd = {
    .name = "run",
    .synopsis = run_synopsis,
    .summary = "run a scenario: coverage of every township and the goal's verdict",
    .about = "Runs a scenario end to end: loads the township map, places the stations,\n"
             "computes each footprint and each township's coverage, judges the goal,\n"
             "prints a summary and writes townships.csv and summary.json (and, as the\n"
             "scenario asks, the QGIS layers, map.png and the signal rasters).",
    .opts = run_opts,
    .operand = "SCENARIO",
    .operand_offset = offsetof(struct run_args, scenario),
    .notes = "Results do not depend on --threads: the same scenario and seed give\n"
             "byte-identical per-township results. See `towncov keys` for every key.\n"
             "Built with MPI (make MPI=1), `mpirun -np R build-mpi/towncov run ...` splits\n"
             "the coverage of the townships over R ranks by province; rank 0 writes the\n"
             "same files (docs/national.md).",
    .main = cli_run,
    .needs_gdal = 1,
};

static const struct cli_opt link_opts[] = {
    {"set", 0, CLI_LIST, "section.key=value", 0, 0, offsetof(struct run_args, sets), SET_DOC},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const link_synopsis[] = {"SCENARIO [--set section.key=value ...]", NULL};

const struct cli_cmd cli_link_cmd = {
    .name = "link",
    .synopsis = link_synopsis,
    .summary = "print a scenario's link budget term by term and its cell ranges",
    .about = "Prints the scenario's link budget term by term and the resulting cell range\n"
             "per band, township kind and sector direction. With [terrain] model =\n"
             "delta-bullington it also places the stations and prints, per kind, the\n"
             "distribution of their reach over the DEM across every direction, against\n"
             "flat ground.",
    .opts = link_opts,
    .operand = "SCENARIO",
    .operand_offset = offsetof(struct run_args, scenario),
    .main = cli_link,
};

static const struct cli_opt no_opts[] = {{NULL, 0, 0, NULL, 0, 0, 0, NULL}};
static const char *const keys_synopsis[] = {"", NULL};

static int cli_keys(int argc, char **argv)
{
    char dummy;
    int rc = cli_parse(&cli_keys_cmd, argc, argv, &dummy);
    if (rc)
        return rc < 0 ? 0 : rc;
    scenario_print_keys(stdout);
    return 0;
}

const struct cli_cmd cli_keys_cmd = {
    .name = "keys",
    .synopsis = keys_synopsis,
    .summary = "every scenario key, its default, unit and meaning (Markdown)",
    .about = "Prints every scenario key with its type, default, unit, range and meaning,\n"
             "as Markdown tables, from the same key tables the scenario reader uses\n"
             "(towncov-scenario(5) is generated from them too).",
    .opts = no_opts,
    .main = cli_keys,
};

/* Parses a command's arguments and loads its scenario. Returns 0 with *scn
 * set (the caller frees it), or the exit status (-1 after printing help). */
static int load_command(const struct cli_cmd *cmd, int argc, char **argv, struct run_args *a,
                        struct scenario **scn)
{
    *scn = NULL;
    memset(a, 0, sizeof *a);
    a->threads = omp_get_max_threads();
    int rc = cli_parse(cmd, argc, argv, a);
    if (rc)
        return rc;
    static char engine_set[64];
    if (a->engine) {
        if (a->sets.n == CLI_LIST_MAX)
            return cli_usage_error(cmd, "too many --set options");
        snprintf(engine_set, sizeof engine_set, "coverage.engine=%s", a->engine);
        a->sets.v[a->sets.n++] = engine_set;
    }
    char path[TC_PATH_MAX];
    const char *file = cli_data_path(a->scenario, path, sizeof path);
    struct tc_error err = {0};
    *scn = malloc(sizeof **scn);
    if (!*scn)
        return TC_EXIT_RESOURCE;
    if (scenario_load(file, a->sets.v, a->sets.n, *scn, &err) != 0) {
        free(*scn);
        *scn = NULL;
        return cli_report(&err);
    }
    return 0;
}

int cli_run(int argc, char **argv)
{
    struct run_args a;
    struct scenario *scn;
    int rc = load_command(&cli_run_cmd, argc, argv, &a, &scn);
    if (rc)
        return rc < 0 ? 0 : rc;
    /* Under mpirun (the MPI build) the ranks share the coverage stage
     * (sim/run_mpi.c); rank 0 alone prints and writes, the others' warnings
     * (the same as rank 0's) go nowhere. */
    struct run_options opt = {.threads = (int)a.threads, .out_dir = a.out, .quiet = a.quiet,
                              .log = stderr};
    if (pipeline_ranks_start(&argc, &argv, &opt.rank, &opt.n_ranks) != 0) {
        free(scn);
        fprintf(stderr, "towncov: error: MPI could not start\n");
        return TC_EXIT_INTERNAL;
    }
    FILE *null = opt.rank > 0 ? fopen("/dev/null", "w") : NULL;
    if (opt.rank > 0) {
        opt.quiet = 1;
        opt.log = null ? null : stderr;
    }
    tc_signals_install();
    opt.progress = !opt.quiet && isatty(STDERR_FILENO);
    tc_progress_enable(opt.progress ? stderr : NULL);
    struct tc_error err = {0};
    int met = 0;
    rc = pipeline_run(scn, &opt, &met, &err);
    free(scn);
    if (null)
        fclose(null);
    if (rc != 0)
        rc = opt.rank == 0 ? cli_report(&err) : (err.exit_code ? err.exit_code : TC_EXIT_INTERNAL);
    else
        rc = a.fail_on_goal && !met ? 1 : 0;
    pipeline_ranks_stop();
    return rc;
}

/* With a DEM: the scenario's stations placed and their footprints over
 * the terrain, the reach per direction printed against flat ground. */
static int link_terrain(const struct scenario *scn, const struct radio_model *radio, int threads,
                        struct tc_error *err)
{
    struct tc_map *map = map_load(&scn->map, scn->base_dir, threads, stderr, err);
    struct tc_sites *sites = map ? sites_place(&scn->sites, map, (unsigned long long)scn->info.seed,
                                               scn->base_dir, threads, stderr, err)
                                 : NULL;
    struct tc_footprints *flat = sites ? footprints_build(radio, map, sites, threads, err) : NULL;
    struct tc_footprints *ter = flat ? footprints_build(radio, map, sites, threads, err) : NULL;
    struct terrain_dem *dem = NULL;
    double dropped = 0;
    int rc = !ter ? -1
             : footprints_terrain_stage(&ter, radio, &scn->terrain, scn->base_dir, map, sites,
                                        threads, stderr, &dem, &dropped, err);
    if (rc == 0 && (footprints_print_reach(stdout, flat, ter, map, sites) != 0 ||
                    printf("ground lit again beyond a first shadow, which the footprints drop: "
                           "%.2f %% of the area along the rays (every 16th station)\n",
                           100 * dropped) < 0))
        rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot write the reach report");
    terrain_dem_free(&dem);
    footprints_free(&ter);
    footprints_free(&flat);
    sites_free(&sites);
    map_free(&map);
    return rc;
}

int cli_link(int argc, char **argv)
{
    struct run_args a;
    struct scenario *scn;
    int rc = load_command(&cli_link_cmd, argc, argv, &a, &scn);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct tc_error err = {0};
    struct radio_model *radio = radio_model_new(&scn->radio, &err);
    if (!radio)
        rc = cli_report(&err);
    else
        rc = radio_print_link(stdout, radio) != 0 ? TC_EXIT_OUTPUT : 0;
    if (rc == 0 && scn->terrain.model != TERRAIN_NONE &&
        link_terrain(scn, radio, omp_get_max_threads(), &err) != 0)
        rc = cli_report(&err);
    radio_model_free(&radio);
    free(scn);
    return rc;
}
