/* plan.c — `towncov plan`'s command line (the stage is sim/plan/). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/plan.h"
#include "towncov/progress.h"
#include "towncov/scenario.h"

struct plan_args {
    const char *scenario;
    struct cli_list sets;
    const char *candidates, *out;
    double spacing_m, mip_seconds;
    long max_added, threads;
    int quiet;
};

static const struct cli_opt plan_opts[] = {
    {"candidates", 0, CLI_TEXT, "FILE.csv", 0, 0, offsetof(struct plan_args, candidates),
     "candidate places (a sites file: id,lon,lat,...);\ndefault: a hexagonal lattice over the "
     "failing\ntownships' seat areas, plus their seats"},
    {"spacing", 0, CLI_NUM, "M", 1, 1e6, offsetof(struct plan_args, spacing_m),
     "lattice spacing in metres (default: the shortest\nreach of the radio model over the "
     "failing kinds)"},
    {"max-added", 0, CLI_INT, "K", 1, 1e9, offsetof(struct plan_args, max_added),
     "add at most K stations"},
    {"mip-seconds", 0, CLI_NUM, "S", 0.01, 86400, offsetof(struct plan_args, mip_seconds),
     "time limit of each component's MIP (default 10);\na component stopped by it is planned "
     "by the greedy"},
    CLI_OPT_THREADS(struct plan_args, threads),
    {"out", 0, CLI_TEXT, "DIR", 0, 0, offsetof(struct plan_args, out),
     "output folder (default: out/<name>-plan)"},
    {"set", 0, CLI_LIST, "section.key=value", 0, 0, offsetof(struct plan_args, sets),
     "override a scenario key (repeatable)"},
    {"quiet", 'q', CLI_FLAG, NULL, 0, 0, offsetof(struct plan_args, quiet), "no summary"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const plan_synopsis[] = {"SCENARIO [options]", NULL};

const struct cli_cmd cli_plan_cmd = {
    .name = "plan",
    .synopsis = plan_synopsis,
    .summary = "add few stations so that every township meets the goal (GLPK MIP)",
    .about = "Finds few added stations that make every township meet the scenario's goal\n"
             "(its seat-area share), the existing stations staying: the seat areas are\n"
             "sampled, split into components (townships sharing candidates) and each is\n"
             "solved exactly as a MIP (GLPK), checked on the exact areas and completed by\n"
             "a greedy where short; the lower bound is the sum of the components' (see\n"
             "docs/plan-optimality.md). Writes added_sites.csv, planned_sites.csv,\n"
             "planned.ini, plan.json and check/ (the ordinary run of planned.ini, which\n"
             "judges the plan).",
    .opts = plan_opts,
    .operand = "SCENARIO",
    .operand_offset = offsetof(struct plan_args, scenario),
    .notes = "The added stations do not depend on --threads.",
    .main = cli_plan,
};

int cli_plan(int argc, char **argv)
{
    struct plan_args a = {.threads = omp_get_max_threads(), .mip_seconds = PLAN_MIP_SECONDS};
    int rc = cli_parse(&cli_plan_cmd, argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct plan_options opt = {.candidates = a.candidates, .spacing_m = a.spacing_m,
                               .max_added = a.max_added, .threads = (int)a.threads,
                               .mip_seconds = a.mip_seconds,
                               .out_dir = a.out, .quiet = a.quiet, .log = stderr,
                               .progress = !a.quiet && isatty(STDERR_FILENO)};
    struct scenario *scn = malloc(sizeof *scn);
    if (!scn)
        return TC_EXIT_RESOURCE;
    struct tc_error err = {0};
    tc_signals_install();
    tc_progress_enable(opt.progress ? stderr : NULL);
    int met = 0;
    char path[TC_PATH_MAX];
    const char *file = cli_data_path(a.scenario, path, sizeof path);
    rc = scenario_load(file, a.sets.v, a.sets.n, scn, &err) != 0 ? -1 : 0;
    if (rc == 0)
        cli_preload(scn);
    if (rc == 0)
        rc = plan_run(scn, &opt, &met, &err);
    free(scn);
    return rc != 0 ? cli_report(&err) : 0;
}
