/* sweep.c — `towncov sweep`'s command line (the stage is sim/sweep/). */
#include "towncov/sweep.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_sweep[] =
    "Usage: towncov sweep SCENARIO [options]\n"
    "\n"
    "Runs every member of a study: each combination of the scenario's iterations\n"
    "(${...} values, [sweep] repeat and constraint) and of the --vary options. The\n"
    "map and its seat areas are loaded once; members run one after another, each\n"
    "with all threads. Writes sweep.csv, sweep_townships.csv, sweep.json and\n"
    "sweep.png, and prints a table. Each member's per-township results are those\n"
    "`towncov run` gives with the same values.\n"
    "\n"
    "Options:\n"
    "  --vary KEY=SPEC         vary section.key over SPEC: A..B/STEP, A..B, a,b,c or\n"
    "                          ${...} (repeatable; loops nested in order, after the\n"
    "                          file's)\n"
    "  --repeat R              R repetitions of each member, seeds seed, seed+1, ...\n"
    "  --list                  print the members and stop\n"
    "  --keep-members          also each member's usual outputs under members/NNN/\n"
    "  --find-min KEY          the smallest KEY (sites.count) meeting the goal, by\n"
    "                          bisection\n"
    "  --range LO..HI          the range --find-min searches (default: 1 to the\n"
    "                          scenario's value, doubled while the goal is not met)\n"
    "  --threads N             OpenMP threads per member (default: all cores)\n"
    "  --out DIR               output folder (default: out/<name>-sweep)\n"
    "  --set section.key=value override a key in every member (repeatable)\n"
    "  --quiet                 no table, no progress; errors still go to stderr\n"
    "  --help                  this text\n"
    "\n"
    "Built with MPI (make MPI=1), `mpirun -np R build-mpi/towncov sweep ...` spreads\n"
    "the members over R ranks; rank 0 writes the same files.\n";

#define MAX_ARGS 256

struct sweep_args {
    struct sweep_options opt;
    const char *vary[MAX_ARGS];
    const char *sets[MAX_ARGS];
};

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "towncov: %s%s%s\n\n%s", msg, arg ? ": " : "", arg ? arg : "", usage_sweep);
    return TC_EXIT_USAGE;
}

static int parse_long(const char *text, long lo, long hi, long *v)
{
    char *end;
    long x = strtol(text, &end, 10);
    if (end == text || *end || x < lo || x > hi)
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
    return parse_long(left, 0, 9007199254740992L, lo) ||
           parse_long(dots + 2, 1, 9007199254740992L, hi) || *lo > *hi ? -1 : 0;
}

/* One option that takes a value (argv[i + 1]); 1 when it was one, -1 on a
 * bad value (after printing why), 0 when s is not such an option. */
static int value_option(struct sweep_args *a, const char *s, const char *v)
{
    struct sweep_options *o = &a->opt;
    long n;
    if (strcmp(s, "--vary") == 0) {
        if (o->n_vary == MAX_ARGS)
            return usage_error("too many --vary options", NULL), -1;
        a->vary[o->n_vary++] = v;
    } else if (strcmp(s, "--set") == 0) {
        if (o->n_sets == MAX_ARGS)
            return usage_error("too many --set options", NULL), -1;
        a->sets[o->n_sets++] = v;
    } else if (strcmp(s, "--repeat") == 0) {
        if (parse_long(v, 1, 1000000, &o->repeat) != 0)
            return usage_error("--repeat needs a whole number from 1 to 1000000", v), -1;
    } else if (strcmp(s, "--threads") == 0) {
        if (parse_long(v, 1, 4096, &n) != 0)
            return usage_error("--threads needs a whole number from 1 to 4096", v), -1;
        o->threads = (int)n;
    } else if (strcmp(s, "--out") == 0) {
        o->out_dir = v;
    } else if (strcmp(s, "--find-min") == 0) {
        o->find_min = v;
    } else if (strcmp(s, "--range") == 0) {
        if (parse_range(v, &o->range_lo, &o->range_hi) != 0)
            return usage_error("--range needs LO..HI, whole numbers, LO <= HI", v), -1;
    } else {
        return 0;
    }
    return 1;
}

/* 0 parsed, -1 help printed, or an exit status. */
static int parse_args(int argc, char **argv, struct sweep_args *a)
{
    struct sweep_options *o = &a->opt;
    o->threads = omp_get_max_threads();
    o->log = stderr;
    o->vary = a->vary;
    o->sets = a->sets;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(usage_sweep, stdout);
            return -1;
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(s, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(s, "--keep-members") == 0) {
            o->keep_members = 1;
        } else if (s[0] == '-' && i + 1 < argc) {
            int rc = value_option(a, s, argv[i + 1]);
            if (rc < 0)
                return TC_EXIT_USAGE;
            if (rc == 0)
                return usage_error("unknown option", s);
            i++;
        } else if (s[0] == '-') {
            return usage_error("unknown option or missing value", s);
        } else if (!o->scenario) {
            o->scenario = s;
        } else {
            return usage_error("more than one scenario given", s);
        }
    }
    if (!o->scenario)
        return usage_error("no scenario file given", NULL);
    if (o->range_hi > 0 && !o->find_min)
        return usage_error("--range goes with --find-min", NULL);
    if (o->find_min && (o->keep_members || o->list))
        return usage_error(o->list ? "--list does not go with --find-min (its members are "
                           "the probes, chosen as it goes)" : "--keep-members does not go "
                           "with --find-min", NULL);
    o->progress = !o->quiet;
    return 0;
}

int sweep_main(int argc, char **argv)
{
    struct sweep_args *a = calloc(1, sizeof *a);
    if (!a)
        return TC_EXIT_RESOURCE;
    int rc = parse_args(argc, argv, a);
    if (rc == 0) {
        tc_signals_install();
        rc = sweep_main_run(&a->opt);
    }
    free(a);
    return rc < 0 ? 0 : rc;
}
