/* sweep.c — `towncov sweep`'s command line (the stage is sim/sweep/). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/progress.h"
#include "towncov/sweep.h"

struct sweep_args {
    const char *scenario;
    struct cli_list vary, sets;
    long repeat, threads;
    const char *out, *find_min, *range;
    int list, keep_members, quiet, full_probes;
};

static const struct cli_opt sweep_opts[] = {
    {"vary", 0, CLI_LIST, "KEY=SPEC", 0, 0, offsetof(struct sweep_args, vary),
     "vary section.key over SPEC: A..B/STEP, A..B, a,b,c or\n${...} (repeatable; loops nested "
     "in order, after the\nfile's)"},
    {"repeat", 0, CLI_INT, "R", 1, 1000000, offsetof(struct sweep_args, repeat),
     "R repetitions of each member, seeds seed, seed+1, ..."},
    {"list", 0, CLI_FLAG, NULL, 0, 0, offsetof(struct sweep_args, list),
     "print the members and stop"},
    {"keep-members", 0, CLI_FLAG, NULL, 0, 0, offsetof(struct sweep_args, keep_members),
     "also each member's usual outputs under members/NNN/"},
    {"find-min", 0, CLI_TEXT, "KEY", 0, 0, offsetof(struct sweep_args, find_min),
     "the smallest KEY (sites.count) meeting the goal, by\nbisection"},
    {"range", 0, CLI_TEXT, "LO..HI", 0, 0, offsetof(struct sweep_args, range),
     "the range --find-min searches (default: 1 to the\nscenario's value, doubled while the "
     "goal is not met)"},
    {"full-probes", 0, CLI_FLAG, NULL, 0, 0, offsetof(struct sweep_args, full_probes),
     "--find-min sites.count: judge every township in every\nprobe (default: a probe above a "
     "failing one judges\nonly the townships failing there; the same answer)"},
    CLI_OPT_THREADS(struct sweep_args, threads),
    {"out", 0, CLI_TEXT, "DIR", 0, 0, offsetof(struct sweep_args, out),
     "output folder (default: out/<name>-sweep)"},
    {"set", 0, CLI_LIST, "section.key=value", 0, 0, offsetof(struct sweep_args, sets),
     "override a key in every member (repeatable)"},
    {"quiet", 'q', CLI_FLAG, NULL, 0, 0, offsetof(struct sweep_args, quiet),
     "no table, no progress; errors still go to stderr"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const sweep_synopsis[] = {"SCENARIO [options]", NULL};

const struct cli_cmd cli_sweep_cmd = {
    .name = "sweep",
    .synopsis = sweep_synopsis,
    .summary = "run a study of many members, or find the fewest stations (--find-min)",
    .about = "Runs every member of a study: each combination of the scenario's iterations\n"
             "(${...} values, [sweep] repeat and constraint) and of the --vary options. The\n"
             "map and its seat areas are loaded once; members run one after another, each\n"
             "with all threads. Writes sweep.csv, sweep_townships.csv, sweep.json and\n"
             "sweep.png, and prints a table. Each member's per-township results are those\n"
             "`towncov run` gives with the same values.",
    .opts = sweep_opts,
    .operand = "SCENARIO",
    .operand_offset = offsetof(struct sweep_args, scenario),
    .notes = "Built with MPI (make MPI=1), `mpirun -np R build-mpi/towncov sweep ...` spreads\n"
             "the members over R ranks; rank 0 writes the same files.",
    .main = cli_sweep,
};

static int parse_long(const char *text, long lo, long *v)
{
    char *end;
    long x = strtol(text, &end, 10);
    if (end == text || *end || x < lo || x > 9007199254740992L)
        return -1;
    *v = x;
    return 0;
}

static int parse_range(const char *text, long *lo, long *hi)
{
    const char *dots = strstr(text, "..");
    if (!dots)
        return -1;
    char left[32];
    size_t n = (size_t)(dots - text);
    if (n == 0 || n >= sizeof left)
        return -1;
    memcpy(left, text, n);
    left[n] = '\0';
    return parse_long(left, 0, lo) || parse_long(dots + 2, 1, hi) || *lo > *hi ? -1 : 0;
}

/* The options that do not go together, and --range's syntax. */
static int check(struct sweep_args *a, struct sweep_options *o)
{
    const struct cli_cmd *cmd = &cli_sweep_cmd;
    if (a->range && parse_range(a->range, &o->range_lo, &o->range_hi) != 0)
        return cli_usage_error(cmd, "--range needs LO..HI, whole numbers, LO <= HI, not '%s'",
                               a->range);
    if (a->range && !a->find_min)
        return cli_usage_error(cmd, "--range goes with --find-min");
    if (a->find_min && a->list)
        return cli_usage_error(cmd, "--list does not go with --find-min (its members are the "
                               "probes, chosen as it goes)");
    if (a->full_probes && !a->find_min)
        return cli_usage_error(cmd, "--full-probes goes with --find-min");
    if (a->find_min && a->keep_members)
        return cli_usage_error(cmd, "--keep-members does not go with --find-min");
    return 0;
}

static int sweep_command(int argc, char **argv)
{
    struct sweep_args *a = calloc(1, sizeof *a);
    if (!a)
        return TC_EXIT_RESOURCE;
    a->threads = omp_get_max_threads();
    struct sweep_options o = {0};
    int rc = cli_parse(&cli_sweep_cmd, argc, argv, a);
    if (rc == 0)
        rc = check(a, &o);
    if (rc == 0) {
        char path[TC_PATH_MAX];
        o.scenario = cli_data_path(a->scenario, path, sizeof path);
        o.vary = a->vary.v;
        o.n_vary = a->vary.n;
        o.sets = a->sets.v;
        o.n_sets = a->sets.n;
        o.repeat = a->repeat;
        o.threads = (int)a->threads;
        o.out_dir = a->out;
        o.quiet = a->quiet;
        o.progress = !a->quiet;
        o.list = a->list;
        o.keep_members = a->keep_members;
        o.find_min = a->find_min;
        o.full_probes = a->full_probes;
        o.log = stderr;
        tc_signals_install();
        tc_progress_enable(!a->quiet && isatty(STDERR_FILENO) ? stderr : NULL);
        rc = sweep_main_run(&o);
    }
    free(a);
    return rc < 0 ? 0 : rc;
}

int cli_sweep(int argc, char **argv)
{
    if (sweep_ranks_start(&argc, &argv) != 0) /* MPI_Init in the MPI build */
        return TC_EXIT_INTERNAL;
    int rc = sweep_command(argc, argv);
    sweep_ranks_stop();
    return rc;
}
