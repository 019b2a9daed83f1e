/* plan.c — `towncov plan`'s command line (the stage is sim/plan/). */
#include "towncov/plan.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/scenario.h"

#define MAX_SETS 256

static const char usage_plan[] =
    "Usage: towncov plan SCENARIO [options]\n"
    "\n"
    "Finds few added stations that make every township meet the scenario's goal\n"
    "(its seat-area share), the existing stations staying: a lazy greedy on the\n"
    "covered seat area, then a pass dropping stations no longer needed, and a\n"
    "lower bound from the covering LP of a discretised instance (GLPK). Writes\n"
    "added_sites.csv, planned_sites.csv, planned.ini, plan.json and check/ (the\n"
    "ordinary run of planned.ini, which judges the plan).\n"
    "\n"
    "Options:\n"
    "  --candidates FILE.csv   candidate places (a sites file: id,lon,lat,...);\n"
    "                          default: a hexagonal lattice over the failing\n"
    "                          townships' seat areas, plus their seats\n"
    "  --spacing M             lattice spacing in metres (default: the shortest\n"
    "                          reach of the radio model over the failing kinds)\n"
    "  --max-added K           add at most K stations\n"
    "  --threads N             OpenMP threads (default: all cores)\n"
    "  --out DIR               output folder (default: out/<name>-plan)\n"
    "  --set section.key=value override a scenario key (repeatable)\n"
    "  --quiet                 no summary\n"
    "  --help                  this text\n"
    "\n"
    "The added stations do not depend on --threads.\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "towncov: %s%s%s\n\n%s", msg, arg ? ": " : "", arg ? arg : "", usage_plan);
    return TC_EXIT_USAGE;
}

static int parse_number(const char *text, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(text, &end);
    return *end || end == text || !isfinite(*v) || *v < lo || *v > hi ? -1 : 0;
}

struct plan_args {
    const char *scenario;
    const char *sets[MAX_SETS];
    int n_sets;
    struct plan_options opt;
};

/* -1 after printing help, an exit status > 0, or 0. */
static int parse(int argc, char **argv, struct plan_args *a)
{
    memset(a, 0, sizeof *a);
    a->opt.threads = omp_get_max_threads();
    a->opt.log = stderr;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int has_value = i + 1 < argc;
        double v;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(usage_plan, stdout);
            return -1;
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            a->opt.quiet = 1;
        } else if (strcmp(s, "--candidates") == 0 && has_value) {
            a->opt.candidates = argv[++i];
        } else if (strcmp(s, "--spacing") == 0 && has_value) {
            if (parse_number(argv[++i], 1, 1e6, &v) != 0)
                return usage_error("--spacing needs metres from 1 to 1000000", argv[i]);
            a->opt.spacing_m = v;
        } else if (strcmp(s, "--max-added") == 0 && has_value) {
            if (parse_number(argv[++i], 1, 1e9, &v) != 0 || v != floor(v))
                return usage_error("--max-added needs a whole number of at least 1", argv[i]);
            a->opt.max_added = (long)v;
        } else if (strcmp(s, "--threads") == 0 && has_value) {
            if (parse_number(argv[++i], 1, 4096, &v) != 0 || v != floor(v))
                return usage_error("--threads needs a whole number from 1 to 4096", argv[i]);
            a->opt.threads = (int)v;
        } else if (strcmp(s, "--out") == 0 && has_value) {
            a->opt.out_dir = argv[++i];
        } else if (strcmp(s, "--set") == 0 && has_value) {
            if (a->n_sets == MAX_SETS)
                return usage_error("too many --set options", NULL);
            a->sets[a->n_sets++] = argv[++i];
        } else if (s[0] == '-') {
            return usage_error(has_value ? "unknown option" : "unknown option or missing value",
                               s);
        } else if (!a->scenario) {
            a->scenario = s;
        } else {
            return usage_error("more than one scenario given", s);
        }
    }
    if (!a->scenario)
        return usage_error("no scenario file given", NULL);
    a->opt.progress = !a->opt.quiet && isatty(STDERR_FILENO);
    return 0;
}

int plan_main(int argc, char **argv)
{
    struct plan_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct scenario *scn = malloc(sizeof *scn);
    if (!scn)
        return TC_EXIT_RESOURCE;
    struct tc_error err = {0};
    tc_signals_install();
    int met = 0;
    rc = scenario_load(a.scenario, a.sets, a.n_sets, scn, &err) != 0 ? -1
         : plan_run(scn, &a.opt, &met, &err);
    free(scn);
    if (rc != 0) {
        fprintf(stderr, "towncov: error: %s\n", err.msg);
        return err.exit_code ? err.exit_code : TC_EXIT_INTERNAL;
    }
    return 0;
}
