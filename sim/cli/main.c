/* main.c — the command line: parses arguments and calls the stages. */
#include <gdal.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/buildinfo.h"
#include "towncov/pipeline.h"
#include "towncov/radio.h"
#include "towncov/raster.h"
#include "towncov/scenario.h"
#include "towncov/sweep.h"

#define MAX_SETS 256

static const char usage_main[] =
    "towncov — 5G base-station coverage of township-level units\n"
    "\n"
    "Usage:\n"
    "  towncov run SCENARIO [--threads N] [--out DIR] [--set section.key=value ...] [--quiet]\n"
    "  towncov mapgen --counties SHP --townships CSV --out DIR [--seed N] [--simplify DEG]\n"
    "  towncov mapgen --synthetic N --out DIR [--seed N] [--threads N] [--quiet]\n"
    "  towncov sweep SCENARIO [--vary KEY=SPEC ...] [--repeat R] [--list] [--keep-members]\n"
    "                [--find-min KEY [--range LO..HI]] [--threads N] [--out DIR]\n"
    "                [--set section.key=value ...] [--quiet]\n"
    "  towncov plan SCENARIO [--candidates CSV] [--spacing M] [--max-added K] [--threads N]\n"
    "               [--out DIR] [--set section.key=value ...] [--quiet]\n"
    "  towncov link SCENARIO [--set section.key=value ...]\n"
    "  towncov pathloss --model MODEL --freq-ghz F --distance-m D [options]\n"
    "  towncov keys            every scenario key, its default, unit and meaning\n"
    "  towncov --version       version, git revision, compiler, flags, libraries\n"
    "  towncov COMMAND --help  help on one command\n"
    "\n"
    "Exit status: 0 run completed (goal met or not: see the summary), 1 run completed\n"
    "and the goal is not met (only with run --fail-on-goal), 2 bad command line,\n"
    "3 bad scenario, 4 bad map, 5 bad sites file, 6 over a limit, 7 cannot write\n"
    "outputs, 8 internal error, 130 interrupted.\n";

static const char usage_run[] =
    "Usage: towncov run SCENARIO [options]\n"
    "\n"
    "Runs a scenario end to end: loads the township map, places the stations,\n"
    "computes each footprint and each township's coverage, judges the goal,\n"
    "prints a summary and writes townships.csv and summary.json.\n"
    "\n"
    "Options:\n"
    "  --threads N             OpenMP threads (default: all cores)\n"
    "  --out DIR               output folder (default: [output] dir, else out/<name>);\n"
    "                          refused when it holds anything towncov did not write\n"
    "  --set section.key=value override a scenario key (repeatable)\n"
    "  --engine NAME           shorthand for --set coverage.engine=NAME\n"
    "  --quiet                 no summary, no progress; errors still go to stderr\n"
    "  --fail-on-goal          exit with status 1 when the goal is not met\n"
    "  --help                  this text\n"
    "\n"
    "Results do not depend on --threads: the same scenario and seed give\n"
    "byte-identical per-township results. See `towncov keys` for every key.\n";

struct run_args {
    const char *scenario;
    const char *sets[MAX_SETS];
    int n_sets;
    int threads;
    const char *out;
    int quiet, fail_on_goal;
    char engine_set[64];
};

static int usage_error(const char *msg, const char *arg, const char *usage)
{
    fprintf(stderr, "towncov: %s%s%s\n\n%s", msg, arg ? ": " : "", arg ? arg : "", usage);
    return TC_EXIT_USAGE;
}

static int parse_threads(const char *text, int *threads)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || v < 1 || v > 4096)
        return -1;
    *threads = (int)v;
    return 0;
}

/* Parses `run`'s and `link`'s arguments; returns -1 after printing help, or
 * an exit status > 0 on error, or 0. */
static int parse_run_args(int argc, char **argv, struct run_args *a, const char *usage)
{
    memset(a, 0, sizeof *a);
    a->threads = omp_get_max_threads();
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            a->quiet = 1;
        } else if (strcmp(s, "--fail-on-goal") == 0) {
            a->fail_on_goal = 1;
        } else if (strcmp(s, "--threads") == 0 && has_value) {
            if (parse_threads(argv[++i], &a->threads) != 0)
                return usage_error("--threads needs a whole number from 1 to 4096", argv[i], usage);
        } else if (strcmp(s, "--out") == 0 && has_value) {
            a->out = argv[++i];
        } else if (strcmp(s, "--set") == 0 && has_value) {
            if (a->n_sets == MAX_SETS)
                return usage_error("too many --set options", NULL, usage);
            a->sets[a->n_sets++] = argv[++i];
        } else if (strcmp(s, "--engine") == 0 && has_value && a->n_sets < MAX_SETS) {
            snprintf(a->engine_set, sizeof a->engine_set, "coverage.engine=%s", argv[++i]);
            a->sets[a->n_sets++] = a->engine_set;
        } else if (s[0] == '-') {
            return usage_error(has_value ? "unknown option" : "unknown option or missing value",
                               s, usage);
        } else if (!a->scenario) {
            a->scenario = s;
        } else {
            return usage_error("more than one scenario given", s, usage);
        }
    }
    if (!a->scenario)
        return usage_error("no scenario file given", NULL, usage);
    return 0;
}

static int report_error(const struct tc_error *err)
{
    fprintf(stderr, "towncov: error: %s\n", err->msg);
    return err->exit_code ? err->exit_code : TC_EXIT_INTERNAL;
}

/* Parses a command's arguments and loads its scenario. Returns 0 with *scn
 * set (the caller frees it), or the exit status (-1 after printing help). */
static int load_command(int argc, char **argv, const char *usage, struct run_args *a,
                        struct scenario **scn)
{
    *scn = NULL;
    int rc = parse_run_args(argc, argv, a, usage);
    if (rc)
        return rc;
    struct tc_error err = {0};
    *scn = malloc(sizeof **scn);
    if (!*scn)
        return TC_EXIT_RESOURCE;
    if (scenario_load(a->scenario, a->sets, a->n_sets, *scn, &err) != 0) {
        free(*scn);
        *scn = NULL;
        return report_error(&err);
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a;
    struct scenario *scn;
    int rc = load_command(argc, argv, usage_run, &a, &scn);
    if (rc)
        return rc < 0 ? 0 : rc;
    tc_signals_install();
    struct run_options opt = {.threads = a.threads, .out_dir = a.out, .quiet = a.quiet,
                              .log = stderr, .progress = !a.quiet && isatty(STDERR_FILENO)};
    struct tc_error err = {0};
    int met = 0;
    rc = pipeline_run(scn, &opt, &met, &err);
    free(scn);
    if (rc != 0)
        return report_error(&err);
    return a.fail_on_goal && !met ? 1 : 0;
}

static const char usage_link[] =
    "Usage: towncov link SCENARIO [--set section.key=value ...]\n"
    "\n"
    "Prints the scenario's link budget term by term and the resulting cell range\n"
    "per band, township kind and sector direction.\n";

static int cmd_link(int argc, char **argv)
{
    struct run_args a;
    struct scenario *scn;
    int rc = load_command(argc, argv, usage_link, &a, &scn);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct tc_error err = {0};
    struct radio_model *radio = radio_model_new(&scn->radio, &err);
    if (!radio)
        rc = report_error(&err);
    else
        rc = radio_print_link(stdout, radio) != 0 ? TC_EXIT_OUTPUT : 0;
    radio_model_free(&radio);
    free(scn);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("no command given", NULL, usage_main);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        tc_build_print(stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) {
        GDALAllRegister(); /* once, before any thread: the signal rasters */
        GDALSetCacheMax64(RASTER_GDAL_CACHE); /* a small block cache: see raster.h */
        return cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "sweep") == 0) {
        GDALAllRegister(); /* as for run: members may write rasters */
        GDALSetCacheMax64(RASTER_GDAL_CACHE);
        if (sweep_ranks_start(&argc, &argv) != 0)
            return TC_EXIT_INTERNAL;
        int rc = sweep_main(argc - 1, argv + 1);
        sweep_ranks_stop();
        return rc;
    }
    if (strcmp(cmd, "mapgen") == 0)
        return mapgen_main(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return plan_main(argc - 1, argv + 1);
    if (strcmp(cmd, "link") == 0)
        return cmd_link(argc - 1, argv + 1);
    if (strcmp(cmd, "pathloss") == 0)
        return radio_cmd_pathloss(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0) {
        scenario_print_keys(stdout);
        return 0;
    }
    return usage_error("unknown command", cmd, usage_main);
}
