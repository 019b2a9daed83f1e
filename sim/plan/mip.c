/* mip.c — the planner's exact part (see docs/plan-optimality.md): the
 * discretised covering problem (sample.c) split into components (fixable
 * failing townships linked by a candidate that covers sample points of
 * both), each solved as a MIP with GLPK in parallel over components:
 *     minimise  sum_j x_j                        x_j in {0, 1} per candidate
 *     y_a <= sum of x_j over the candidates covering atom a,  y_a in [0, 1]
 *     sum over t's atoms of w_a y_a >= req_t     for each township t
 * One problem object per component, built and solved by the thread that
 * owns the component (GLPK 5's environment is thread-local: each thread
 * silences its terminal and frees its environment). Components are
 * numbered by their smallest slot, so the result does not depend on the
 * thread count; only a component stopped by its time limit depends on the
 * machine's speed (it is then planned by the greedy, and reported). */
#include <glpk.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/worker.h"

#include "plan_internal.h"

const char *const plan_comp_status_names[COMP_STATUSES] = {
    "optimal", "work limit", "time limit", "infeasible on the discretisation", "solver failed"};

static int root(int *up, int f)
{
    while (up[f] != f)
        f = up[f] = up[up[f]];
    return f;
}

static int by_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Links slots through the candidates their atoms share; numbers the
 * components by their smallest slot and lists their slots and candidates. */
static int components(struct plan *p)
{
    int nf = p->nf, *up = malloc(sizeof *up * ((size_t)nf + 1));
    int *first = malloc(sizeof *first * ((size_t)p->n_cand + 1));
    int *id = malloc(sizeof *id * ((size_t)nf + 1));
    int rc = up && first && id ? 0 : -1;
    for (int f = 0; rc == 0 && f < nf; f++)
        up[f] = f;
    for (long j = 0; rc == 0 && j < p->n_cand; j++)
        first[j] = -1;
    for (int f = 0; rc == 0 && f < nf; f++) {
        const struct plan_atoms *a = &p->atoms[f];
        for (long k = 0; p->fixable[f] && k < a->off[a->n]; k++) {
            long j = a->cand[k];
            if (first[j] < 0)
                first[j] = f;
            else
                up[root(up, f)] = root(up, first[j]);
        }
    }
    struct plan_mip *m = &p->mip;
    for (int f = 0; rc == 0 && f < nf; f++)
        id[f] = -1;
    for (int f = 0; rc == 0 && f < nf; f++) {
        if (!p->fixable[f])
            continue;
        int r = root(up, f);
        if (id[r] < 0) /* slots ascending: a component's smallest slot names it */
            id[r] = m->n++;
        id[f] = id[r];
    }
    if (rc == 0 && !(m->c = calloc((size_t)m->n + 1, sizeof *m->c)))
        rc = -1;
    for (int f = 0; rc == 0 && f < nf; f++) {
        if (id[f] < 0)
            continue;
        struct plan_comp *c = &m->c[id[f]];
        if (tc_resize((void **)&c->slot, (size_t)c->n_slots + 1, sizeof *c->slot) != 0) {
            rc = -1;
            break;
        }
        c->slot[c->n_slots++] = f;
        const struct plan_atoms *a = &p->atoms[f];
        c->atoms += a->n;
        if (tc_resize((void **)&c->cand, (size_t)(c->n_cand + a->off[a->n]) + 1, sizeof *c->cand)) {
            rc = -1;
            break;
        }
        for (long k = 0; k < a->off[a->n]; k++)
            c->cand[c->n_cand++] = a->cand[k];
    }
    for (int q = 0; rc == 0 && q < m->n; q++) { /* sorted, once each */
        struct plan_comp *c = &m->c[q];
        qsort(c->cand, (size_t)c->n_cand, sizeof *c->cand, by_long);
        long n = 0;
        for (long k = 0; k < c->n_cand; k++)
            if (n == 0 || c->cand[n - 1] != c->cand[k])
                c->cand[n++] = c->cand[k];
        c->n_cand = n;
    }
    free(up);
    free(first);
    free(id);
    return rc;
}

static int by_weight_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* GLPK column of candidate j in c (1-based), by bisection. */
static int col_of(const struct plan_comp *c, long j)
{
    const long *at = bsearch(&j, c->cand, (size_t)c->n_cand, sizeof j, by_long);
    return (int)(at - c->cand) + 1;
}

/* The fewest candidates that can meet slot a's requirement: the k largest
 * weights (the points each covers) summed reach req. Any plan of the
 * discretised instance has at least that many among a's candidates, a cut
 * the LP relaxation alone misses (it spreads fractions over many). */
static long fewest(const struct plan_comp *c, const struct plan_atoms *a, double *wt)
{
    for (int k = 0; k < c->n_cand; k++)
        wt[k] = 0;
    for (long q = 0; q < a->n; q++)
        for (long k = a->off[q]; k < a->off[q + 1]; k++)
            wt[col_of(c, a->cand[k]) - 1] += a->w[q];
    qsort(wt, (size_t)c->n_cand, sizeof *wt, by_weight_desc);
    double sum = 0;
    long k = 0;
    while (k < c->n_cand && sum < a->req - 1e-9)
        sum += wt[k++];
    return k;
}

/* Loads component c's MIP into lp. Returns -1 when out of memory. */
static int load(const struct plan *p, const struct plan_comp *c, glp_prob *lp)
{
    long nz = 0;
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &p->atoms[c->slot[s]];
        nz += 2 * a->off[a->n] + 2 * a->n;
    }
    int *ia = malloc(sizeof *ia * ((size_t)nz + 1)), *ja = malloc(sizeof *ja * ((size_t)nz + 1));
    double *ar = malloc(sizeof *ar * ((size_t)nz + 1));
    double *wt = malloc(sizeof *wt * ((size_t)c->n_cand + 1));
    unsigned char *seen = calloc((size_t)c->n_cand + 1, 1);
    if (!ia || !ja || !ar || !wt || !seen) {
        free(ia);
        free(ja);
        free(ar);
        free(wt);
        free(seen);
        return -1;
    }
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_cols(lp, c->n_cand + (int)c->atoms);
    for (int k = 1; k <= c->n_cand; k++) {
        glp_set_col_kind(lp, k, GLP_BV);
        glp_set_obj_coef(lp, k, 1);
    }
    glp_add_rows(lp, (int)c->atoms + 2 * c->n_slots);
    int col = c->n_cand, row = 0;
    long z = 0;
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &p->atoms[c->slot[s]];
        int slot_row = (int)c->atoms + s + 1;
        glp_set_row_bnds(lp, slot_row, GLP_LO, a->req, 0);
        for (long q = 0; q < a->n; q++) {
            col++, row++;
            glp_set_col_bnds(lp, col, GLP_DB, 0, 1);
            glp_set_row_bnds(lp, row, GLP_UP, 0, 0); /* y_a - sum x_j <= 0 */
            z++, ia[z] = row, ja[z] = col, ar[z] = 1;
            z++, ia[z] = slot_row, ja[z] = col, ar[z] = a->w[q];
            for (long k = a->off[q]; k < a->off[q + 1]; k++)
                z++, ia[z] = row, ja[z] = col_of(c, a->cand[k]), ar[z] = -1;
        }
        int cut_row = (int)c->atoms + c->n_slots + s + 1; /* sum of x_j over a's >= fewest */
        glp_set_row_bnds(lp, cut_row, GLP_LO, (double)fewest(c, a, wt), 0);
        memset(seen, 0, (size_t)c->n_cand);
        for (long k = 0; k < a->off[a->n]; k++) {
            int j = col_of(c, a->cand[k]);
            if (!seen[j - 1]++)
                z++, ia[z] = cut_row, ja[z] = j, ar[z] = 1;
        }
    }
    glp_load_matrix(lp, (int)z, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
    free(wt);
    free(seen);
    return 0;
}

/* GLPK's callback: stops the search past its work limit (nodes times
 * columns: the same on every machine, unlike the time limit), and hands
 * the greedy's solution over as the first incumbent (feasible by
 * construction: each y_a is 1 exactly when a chosen candidate covers atom
 * a), so that the search prunes from the start. */
struct seed {
    const struct plan *p;
    const struct plan_comp *c;
    const unsigned char *x;
    int given, stopped;
};

static void seed_incumbent(glp_tree *tree, void *info)
{
    struct seed *sd = info;
    int active, alive, total;
    glp_ios_tree_size(tree, &active, &alive, &total);
    /* SIGINT/SIGTERM stop the search at once (the plan then stops, exit 130),
     * as does the deterministic work limit (the greedy then plans it). */
    if (tc_interrupted() || (double)total * (sd->c->n_cand + (double)sd->c->atoms) > PLAN_MIP_WORK) {
        sd->stopped = 1;
        glp_ios_terminate(tree);
        return;
    }
    if (glp_ios_reason(tree) != GLP_IHEUR || sd->given)
        return;
    sd->given = 1;
    const struct plan_comp *c = sd->c;
    double *val = malloc(sizeof *val * ((size_t)c->n_cand + (size_t)c->atoms + 1));
    if (!val)
        return; /* no seed: GLPK searches without it */
    for (int k = 0; k < c->n_cand; k++)
        val[k + 1] = sd->x[k];
    long col = c->n_cand;
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &sd->p->atoms[c->slot[s]];
        for (long q = 0; q < a->n; q++) {
            int on = 0;
            for (long k = a->off[q]; k < a->off[q + 1] && !on; k++)
                on = sd->x[col_of(c, a->cand[k]) - 1];
            val[++col] = on;
        }
    }
    glp_ios_heur_sol(tree, val);
    free(val);
}

/* One solve of component c with its slots' current requirements: the
 * greedy into x, the LP relaxation (lp_value), then the MIP, whose
 * solution replaces the greedy's in x when optimal (*mip its size).
 * Returns the status. */
static int mip_solve(const struct plan *p, struct plan_comp *c, double seconds,
                     unsigned char *x, double *lp_value, long *mip, char *note, size_t size)
{
    glp_prob *lp = glp_create_prob();
    if (load(p, c, lp) != 0) {
        snprintf(note, size, "out of memory for the MIP");
        glp_delete_prob(lp);
        return COMP_FAILED;
    }
    int greedy = plan_comp_greedy(p, c, x), result = COMP_FAILED;
    c->greedy_size = 0;
    for (int k = 0; greedy == 0 && k < c->n_cand; k++)
        c->greedy_size += x[k];
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.presolve = GLP_ON;
    int ret = glp_simplex(lp, &sp);
    int status = ret == 0 ? glp_get_status(lp) : 0;
    if (greedy < 0) {
        snprintf(note, size, "out of memory for the greedy");
    } else if (greedy > 0 || ret == GLP_ENOPFS || (ret == 0 && status == GLP_NOFEAS)) {
        result = COMP_INFEASIBLE;
    } else if (ret != 0 || status != GLP_OPT) {
        snprintf(note, size, "glp_simplex returned %d, status %d", ret, status);
    } else {
        *lp_value = glp_get_obj_val(lp);
        struct seed sd = {.p = p, .c = c, .x = x};
        glp_iocp ip;
        glp_init_iocp(&ip);
        ip.msg_lev = GLP_MSG_OFF;
        ip.br_tech = GLP_BR_FFV; /* the default (Driebeck-Tomlin) costs a tableau column per
                                  * candidate and node; on these instances it prunes no faster */
        ip.cb_func = seed_incumbent;
        ip.cb_info = &sd;
        double ms = ceil(seconds * 1000);
        ip.tm_lim = ms < 1 ? 1 : ms > 1e9 ? 1000000000 : (int)ms;
        ret = glp_intopt(lp, &ip);
        status = ret == 0 || ret == GLP_ETMLIM ? glp_mip_status(lp) : 0;
        if (ret == 0 && status == GLP_OPT) {
            result = COMP_OPTIMAL;
            *mip = lround(glp_mip_obj_val(lp));
            for (int k = 0; k < c->n_cand; k++)
                x[k] = glp_mip_col_val(lp, k + 1) > 0.5;
        } else if (ret == GLP_ETMLIM) {
            result = COMP_TIME_LIMIT;
        } else if (ret == GLP_ESTOP && sd.stopped) {
            result = COMP_WORK_LIMIT;
        } else {
            snprintf(note, size, "glp_intopt returned %d, status %d", ret, status);
        }
    }
    glp_delete_prob(lp);
    return result;
}

/* The candidates set in x. */
static void take(struct plan_comp *c, const unsigned char *x)
{
    c->n_chosen = 0;
    for (int k = 0; k < c->n_cand; k++)
        if (x[k])
            c->chosen[c->n_chosen++] = c->cand[k];
}

/* After an optimal solve: each slot whose exact covered seat area falls
 * short of its need (the samples said enough) gets its requirement raised
 * to one point above what the solution covers of its samples. Returns how
 * many were raised, -1 when the engine failed. */
static int raise_short(struct plan *p, const struct plan_comp *c, const unsigned char *x,
                       struct tc_worker *w)
{
    int raised = 0;
    for (int s = 0; s < c->n_slots; s++) {
        int f = c->slot[s];
        double exact = plan_cover_with(p, w, f, c->chosen, c->n_chosen);
        if (isnan(exact))
            return -1;
        if (exact >= p->need[f])
            continue;
        struct plan_atoms *a = &p->atoms[f];
        double got = 0;
        for (long q = 0; q < a->n; q++) {
            int on = 0;
            for (long k = a->off[q]; k < a->off[q + 1] && !on; k++)
                on = x[col_of(c, a->cand[k]) - 1];
            got += on ? a->w[q] : 0;
        }
        a->req = got + 1;
        raised++;
    }
    return raised;
}

/* Solves component c: the greedy, the LP relaxation, then the MIP within
 * its limits; a component a limit stops keeps the greedy's plan. An
 * optimal solution the exact engine finds short on some township is
 * solved again with that township's requirement raised (PLAN_MIP_ROUNDS
 * times at most): the bound stays the first solve's. */
static void solve_one(struct plan *p, struct plan_comp *c, double seconds, struct tc_worker *w)
{
    c->status = COMP_FAILED;
    if (c->atoms == 0) { /* no sample point any candidate covers */
        c->status = COMP_INFEASIBLE;
        return;
    }
    unsigned char *x = malloc((size_t)c->n_cand + 1);
    c->chosen = malloc(sizeof *c->chosen * ((size_t)c->n_cand + 1));
    if (!x || !c->chosen) {
        snprintf(c->note, sizeof c->note, "out of memory for the MIP");
        free(x);
        return;
    }
    c->status = mip_solve(p, c, seconds, x, &c->lp, &c->mip, c->note, sizeof c->note);
    c->lp_ok = c->status == COMP_OPTIMAL || c->status == COMP_WORK_LIMIT ||
               c->status == COMP_TIME_LIMIT;
    if (c->lp_ok)
        take(c, x);
    c->bound = c->status == COMP_OPTIMAL ? c->mip : c->lp_ok ? (long)ceil(c->lp - 1e-6) : 0;
    for (int round = 0; w && c->status == COMP_OPTIMAL && round < PLAN_MIP_ROUNDS; round++) {
        int raised = raise_short(p, c, x, w);
        if (raised < 0)
            tc_worker_failf(w, c->slot[0], TC_EXIT_INTERNAL, "GEOS failed near township %s",
                            p->map->t[p->town[c->slot[0]]].code);
        if (raised <= 0)
            break;
        double lp;
        long mip;
        char note[96];
        long greedy_size = c->greedy_size;
        int again = mip_solve(p, c, seconds, x, &lp, &mip, note, sizeof note);
        c->greedy_size = greedy_size; /* the first solve's, as the bound */
        if (again != COMP_OPTIMAL)
            break; /* keep the last optimal solution: the greedy repairs it */
        take(c, x);
        c->rounds++;
    }
    free(x);
}

int plan_mip_solve(struct plan *p, double seconds, int exact, struct tc_error *err)
{
    struct plan_mip *m = &p->mip;
    m->seconds = seconds;
    if (components(p) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan's components");
    #pragma omp parallel num_threads(p->ws->n)
    {
        struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
        glp_term_out(GLP_OFF);
        #pragma omp for schedule(dynamic, 1)
        for (int q = 0; q < m->n; q++)
            solve_one(p, &m->c[q], seconds, exact ? w : NULL);
        glp_free_env(); /* this thread's GLPK environment */
    }
    if (tc_workers_failure(p->ws, err) != 0)
        return -1;
    for (int f = 0; f < p->nf; f++)
        m->points += p->fixable[f] ? p->atoms[f].points : 0;
    return 0;
}

int plan_mip(struct plan *p, double h, double seconds, struct tc_error *err)
{
    p->mip.step_m = h;
    if (plan_sample(p, h, err) != 0)
        return -1;
    return plan_mip_solve(p, seconds, 1, err);
}

void plan_mip_free(struct plan *p)
{
    for (int q = 0; p->mip.c && q < p->mip.n; q++) {
        free(p->mip.c[q].slot);
        free(p->mip.c[q].cand);
        free(p->mip.c[q].chosen);
    }
    free(p->mip.c);
    for (int f = 0; p->atoms && f < p->nf; f++) {
        free(p->atoms[f].w);
        free(p->atoms[f].off);
        free(p->atoms[f].cand);
    }
    free(p->atoms);
    p->mip = (struct plan_mip){0};
    p->atoms = NULL;
}
