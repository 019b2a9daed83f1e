/* sweep.c — `towncov sweep`'s driver: the members from the scenario's
 * iterations (sweep_space.h), checked before any work, run one after
 * another on one shared map (each with OpenMP inside, members spread over
 * the ranks of an MPI build), then the files, written by rank 0 into one
 * atomic output folder. An interrupt stops the member running and keeps
 * the members done. */
#include "sweep_internal.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/outdir.h"
#include "towncov/pipeline.h"
#include "towncov/scenario.h"
#include "towncov/sweep_space.h"

/* The table of members from the space, which it keeps (*sp taken): keys,
 * loops, and members whose values stay in the space. */
static int table_from_space(struct sweep_table *t, struct sweep_space **sp,
                            struct tc_error *err)
{
    int nkeys = sweep_space_nkeys(*sp);
    for (int k = 0; k < nkeys; k++)
        if (sweep_table_add_key(t, sweep_space_key(*sp, k), sweep_space_loop(*sp, k)) != 0)
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    t->repeat = sweep_space_repeat(*sp);
    t->space = *sp;
    *sp = NULL;
    for (long i = 0; i < sweep_space_count(t->space); i++) {
        struct sweep_member *m = sweep_table_add_member(t, err);
        if (!m)
            return -1;
        m->repetition = sweep_space_repetition(t->space, i);
    }
    return 0;
}

/* The members the scenario and the command line give (one when nothing
 * varies); for --find-min, none yet: the search adds them. */
static int build_table(struct sweep_run *run, struct tc_error *err)
{
    const struct sweep_options *opt = run->opt;
    struct sweep_space *sp = sweep_space_new(opt->scenario, opt->vary, opt->n_vary, opt->repeat,
                                             err);
    if (!sp)
        return -1;
    int rc = 0;
    if (opt->find_min) {
        if (sweep_space_nkeys(sp) > 0 || sweep_space_count(sp) != 1)
            rc = tc_fail(err, TC_EXIT_USAGE, "--find-min %s varies only that key: the scenario "
                         "(or --vary, --repeat) may not vary others (%s)", opt->find_min,
                         sweep_space_nkeys(sp) > 0 ? sweep_space_key(sp, 0) : "repeat");
        else if (sweep_table_add_key(&run->table, opt->find_min, 0) != 0)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        run->table.repeat = 1;
    } else {
        rc = table_from_space(&run->table, &sp, err);
    }
    sweep_space_free(&sp);
    return rc;
}

/* Whether the study's name may come from scenario.name: not when a member
 * varies it. */
static int name_varies(const struct sweep_table *t)
{
    for (int k = 0; k < t->nkeys; k++)
        if (strcmp(t->keys[k], "scenario.name") == 0)
            return 1;
    return 0;
}

/* The name of the study: the scenario's, or its file's without .ini. */
static char *study_name(const struct sweep_run *run, const struct scenario *first)
{
    if (!name_varies(&run->table))
        return strdup(first->info.name);
    char *copy = strdup(run->opt->scenario);
    char *name = copy ? strdup(basename(copy)) : NULL;
    free(copy);
    char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && dot != name)
        *dot = '\0';
    return name;
}

/* Loads every member's scenario once before any work, so that a bad value
 * stops the sweep at once (with where it came from); keeps member 0's
 * goal, name and the members' estimated costs. */
static int check_members(struct sweep_run *run, struct scenario *scn, struct tc_error *err)
{
    for (long i = 0; i < run->table.n; i++) {
        if (tc_interrupted())
            return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while checking member %ld of "
                           "%ld", i, run->table.n);
        if (sweep_member_scenario(run, i, scn, err) != 0) {
            char inner[sizeof err->msg];
            snprintf(inner, sizeof inner, "%s", err->msg);
            return tc_fail(err, err->exit_code, "member %ld: %s", i, inner);
        }
        struct sweep_member *m = &run->table.m[i];
        if (scenario_inputs(scn, &run->inputs, err) != 0)
            return -1;
        m->seed = scn->info.seed;
        m->cost = scn->sites.strategy == SITES_FILE ? 1.0 : (double)scn->sites.count;
        if (i == 0 && !(run->name = study_name(run, scn)))
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        if (i == 0)
            *run->goal = scn->goal;
    }
    return 0;
}

/* The output folder: --out, else out/<name>-sweep; refused when it holds
 * a file any member reads (check_members gathered them; scn adds the
 * search's scenario for --find-min). */
static int choose_dir(struct sweep_run *run, const struct scenario *scn, struct tc_error *err)
{
    if (run->opt->out_dir)
        run->dir = strdup(run->opt->out_dir);
    else if (asprintf(&run->dir, "out/%s-sweep", run->name) < 0)
        run->dir = NULL;
    if (!run->dir)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (scenario_inputs(scn, &run->inputs, err) != 0 ||
        outdir_inputs_add(&run->inputs, NULL, run->opt->scenario, err) != 0)
        return -1;
    return outdir_check_inputs(run->dir, &run->inputs, err);
}

/* Runs this rank's members in order; stops at the first error (an
 * interrupt included). Returns 0 or the exit status. */
static int run_members(struct sweep_run *run, const int *owner, struct tc_error *err)
{
    for (long i = 0; i < run->table.n; i++) {
        if (owner[i] != run->rank)
            continue;
        if (tc_interrupted() || sweep_member_run(run, i, err) != 0) {
            if (tc_interrupted())
                return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted"), TC_EXIT_INTERRUPTED;
            char inner[sizeof err->msg];
            snprintf(inner, sizeof inner, "%s", err->msg);
            int code = err->exit_code ? err->exit_code : TC_EXIT_INTERNAL;
            return tc_fail(err, code, "member %ld: %s", i, inner), code;
        }
        if (run->opt->progress)
            sweep_member_progress(run, i, run->opt->log);
    }
    return 0;
}

/* The members (or the search), then the files. Returns the exit status. */
static int run_and_write(struct sweep_run *run, struct tc_error *err)
{
    double t0 = tc_now();
    int status = 0;
    /* The search is sequential: rank 0 probes, other ranks wait. */
    if (run->opt->find_min && run->rank == 0 && sweep_find_min(run, err) != 0)
        status = err->exit_code;
    int *owner = calloc((size_t)run->table.n + 1, sizeof *owner); /* find-min: all rank 0's */
    if (!owner)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory"), TC_EXIT_RESOURCE;
    if (!run->opt->find_min) {
        sweep_ranks_assign(run, owner);
        status = run_members(run, owner, err);
    }
    if (status == TC_EXIT_INTERRUPTED)
        run->interrupted = 1;
    if (status != 0 && run->n_ranks == 1 && status != TC_EXIT_INTERRUPTED) {
        free(owner);
        return status;
    }
    status = sweep_ranks_gather(run, owner, status);
    free(owner);
    run->load_seconds = pipeline_cache_load_seconds(run->cache);
    run->total_seconds = tc_now() - t0;
    run->interrupted = run->interrupted || status == TC_EXIT_INTERRUPTED;
    if (status != 0 && status != TC_EXIT_INTERRUPTED)
        return status;
    if (run->rank == 0 && sweep_write_outputs(run, err) != 0)
        return err->exit_code ? err->exit_code : TC_EXIT_OUTPUT;
    return status;
}

static int sweep_in_folder(struct sweep_run *run, struct tc_error *err)
{
    int rc = 0;
    if (run->rank == 0)
        rc = outdir_begin(run->dir, "sweep", &run->tmp, err);
    rc = sweep_ranks_share_status(run, rc == 0 ? 0 : err->exit_code);
    if (rc != 0)
        return rc;
    if (sweep_ranks_share_text(run, &run->tmp) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory"), TC_EXIT_RESOURCE;
    if (!(run->cache = pipeline_cache_new()))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory"), TC_EXIT_RESOURCE;
    /* One rank's members end in order: their rows go to the file as they
     * end, so that memory does not grow with the members. */
    int status = run->n_ranks == 1 && sweep_rows_open(run, err) != 0 ? err->exit_code : 0;
    if (status == 0)
        status = run_and_write(run, err);
    sweep_rows_abandon(run); /* open only when the files were not written */
    pipeline_cache_free(&run->cache);
    if (run->rank == 0 && (status == 0 || status == TC_EXIT_INTERRUPTED) &&
        outdir_commit(&run->tmp, run->dir, err) != 0)
        status = err->exit_code ? err->exit_code : TC_EXIT_OUTPUT;
    if (run->rank == 0)
        outdir_abort(&run->tmp);
    else
        free(run->tmp); /* rank 0's folder: only its path was shared */
    if (run->rank == 0 && !run->opt->quiet && (status == 0 || status == TC_EXIT_INTERRUPTED))
        sweep_print_table(run, stdout);
    return status;
}

static int sweep_stages(struct sweep_run *run, struct tc_error *err)
{
    struct scenario *scn = malloc(sizeof *scn);
    run->goal = malloc(sizeof *run->goal);
    if (!scn || !run->goal) {
        free(scn);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory"), TC_EXIT_RESOURCE;
    }
    int rc = build_table(run, err) != 0 ? err->exit_code : 0;
    if (rc == 0 && run->opt->find_min)
        rc = sweep_find_min_prepare(run, scn, err) != 0 ? err->exit_code : 0;
    else if (rc == 0)
        rc = check_members(run, scn, err) != 0 ? err->exit_code : 0;
    if (rc == 0 && run->opt->list) {
        if (run->rank == 0 && sweep_print_list(&run->table, stdout, err) != 0)
            rc = err->exit_code;
        free(scn);
        return rc;
    }
    if (rc == 0)
        rc = choose_dir(run, scn, err) != 0 ? err->exit_code : 0;
    free(scn);
    return rc == 0 ? sweep_in_folder(run, err) : rc;
}

int sweep_main_run(const struct sweep_options *opt)
{
    struct sweep_run run = {.opt = opt};
    sweep_ranks_of(&run);
    struct tc_error err = {0};
    int status = sweep_stages(&run, &err);
    if (status != 0 && err.msg[0])
        fprintf(opt->log, "towncov: %s: %s\n", status == TC_EXIT_INTERRUPTED ? "stopped" :
                "error", err.msg);
    sweep_table_free(&run.table);
    free(run.goal);
    free(run.name);
    free(run.dir);
    outdir_inputs_free(&run.inputs);
    return status;
}
