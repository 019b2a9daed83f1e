/* bound.c — a lower bound on the stations a plan needs (see plan.h): the
 * partial-covering LP of a discretised instance, solved with GLPK.
 *
 * Sample points lie on a square grid of step h inside each fixable failing
 * township's seat area and outside every existing footprint (its deficit),
 * each weighing h^2. With x_j in [0, 1] per candidate and y_p in [0, 1]
 * per point:
 *     minimise  sum_j x_j
 *     y_p <= sum of x_j over the candidates whose footprint holds p
 *     sum over t's points of h^2 y_p >= R_t   for each township t
 * where R_t = W_t (need_t - before_t) / (area_t - before_t): the share of
 * its sample weight W_t that the goal needs covered, as on the polygons.
 * Any set of candidates meeting the discretised requirements is feasible
 * for the LP, so ceil(LP) stations at least are needed on that
 * discretisation; small instances are also solved as an IP (glp_intopt). */
#include <math.h>
#include <stdlib.h>

#include <geos_c.h>
#include <glpk.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/seat.h"

#include "plan_internal.h"

/* Columns (candidates + points) up to which the IP is tried. */
#define IP_MAX_COLS 2000

/* The matrix, grown as points are found. */
struct lp_rows {
    int *ia, *ja;
    double *ar;
    long nz, cap;
};

static int lp_add(struct lp_rows *m, int i, int j, double v)
{
    if (m->nz + 1 >= m->cap) {
        long cap = 2 * m->cap + 1024;
        if (tc_resize((void **)&m->ia, (size_t)cap, sizeof *m->ia) ||
            tc_resize((void **)&m->ja, (size_t)cap, sizeof *m->ja) ||
            tc_resize((void **)&m->ar, (size_t)cap, sizeof *m->ar))
            return -1;
        m->cap = cap;
    }
    m->nz++; /* GLPK's arrays start at 1 */
    m->ia[m->nz] = i;
    m->ja[m->nz] = j;
    m->ar[m->nz] = v;
    return 0;
}

/* Adds slot f's deficit points: a row and a column each, and f's row. */
static int slot_points(const struct plan *p, glp_prob *lp, GEOSContextHandle_t ctx, int f,
                       double h, struct lp_rows *m, long *points)
{
    int t = p->town[f];
    const double *e = p->seats->envelope[t];
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, p->seats->geom[t]);
    if (!prep)
        return -1;
    int town_row = glp_add_rows(lp, 1), rc = 0;
    long np = 0;
    for (double y = (floor(e[1] / h) + 0.5) * h; y <= e[3] && rc == 0; y += h)
        for (double x = (floor(e[0] / h) + 0.5) * h; x <= e[2] && rc == 0; x += h) {
            int covered = 0;
            for (long k = 0; k < p->cur[f].n && !covered; k++)
                covered = p->cur[f].id[k] < p->n_exist && footprint_contains(p->all, p->cur[f].id[k], x, y);
            if (covered)
                continue;
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
            char inside = pt ? GEOSPreparedContains_r(ctx, prep, pt) : 2;
            if (pt)
                GEOSGeom_destroy_r(ctx, pt);
            if (inside == 2) { /* GEOS failed (memory): no bound, said so */
                rc = -1;
                break;
            }
            if (!inside)
                continue;
            int row = glp_add_rows(lp, 1), col = glp_add_cols(lp, 1);
            glp_set_row_bnds(lp, row, GLP_UP, 0, 0); /* y_p - sum x_j <= 0 */
            glp_set_col_bnds(lp, col, GLP_DB, 0, 1);
            rc = lp_add(m, row, col, 1) || lp_add(m, town_row, col, h * h);
            for (long k = 0; k < p->near[f].n && rc == 0; k++) {
                long id = p->near[f].id[k];
                if (footprint_contains(p->all, id, x, y))
                    rc = lp_add(m, row, (int)(id - p->n_exist) + 1, -1);
            }
            np++;
        }
    GEOSPreparedGeom_destroy_r(ctx, prep);
    double area = p->seats->area_m2[t], open = area - p->before[f];
    double need = open > 0 ? (double)np * h * h * (p->need[f] - p->before[f]) / open : 0;
    glp_set_row_bnds(lp, town_row, need > 0 ? GLP_LO : GLP_FR, need > 0 ? need : 0, 0);
    *points += np;
    return rc;
}

/* GLPK's branch-and-cut callback: an interrupt ends the search at once
 * (glp_intopt then returns GLP_ESTOP) rather than at its 30 s limit. */
static void stop_on_interrupt(glp_tree *tree, void *info)
{
    (void)info;
    if (tc_interrupted())
        glp_ios_terminate(tree);
}

void plan_bound(const struct plan *p, double h, struct plan_bound *b)
{
    *b = (struct plan_bound){.step_m = h};
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    if (p->n_cand > 0)
        glp_add_cols(lp, (int)p->n_cand);
    for (long j = 0; j < p->n_cand; j++) {
        glp_set_col_bnds(lp, (int)j + 1, GLP_DB, 0, 1);
        glp_set_obj_coef(lp, (int)j + 1, 1);
    }
    struct lp_rows m = {0};
    GEOSContextHandle_t ctx = GEOS_init_r();
    int rc = ctx ? 0 : -1;
    for (int f = 0; f < p->nf && rc == 0; f++)
        if (p->fixable[f])
            rc = slot_points(p, lp, ctx, f, h, &m, &b->points);
    if (ctx)
        GEOS_finish_r(ctx);
    if (rc != 0) {
        snprintf(b->note, sizeof b->note, "out of memory for the LP");
    } else if (b->points == 0) {
        b->ok = 1; /* nothing to cover on this grid: 0 is the bound */
    } else {
        glp_load_matrix(lp, (int)m.nz, m.ia, m.ja, m.ar);
        glp_smcp parm;
        glp_init_smcp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.presolve = GLP_ON;
        parm.tm_lim = 120000;
        int ret = glp_simplex(lp, &parm);
        int status = ret == 0 ? glp_get_status(lp) : 0;
        if (ret != 0)
            snprintf(b->note, sizeof b->note, "glp_simplex returned %d", ret);
        else if (status != GLP_OPT)
            snprintf(b->note, sizeof b->note, "LP status %d (not optimal)", status);
        else {
            b->ok = 1;
            b->lp = glp_get_obj_val(lp);
        }
        if (b->ok && glp_get_num_cols(lp) <= IP_MAX_COLS) {
            for (long j = 0; j < p->n_cand; j++)
                glp_set_col_kind(lp, (int)j + 1, GLP_BV);
            glp_iocp ip;
            glp_init_iocp(&ip);
            ip.msg_lev = GLP_MSG_OFF;
            ip.tm_lim = 30000;
            ip.cb_func = stop_on_interrupt;
            if (glp_intopt(lp, &ip) == 0 && glp_mip_status(lp) == GLP_OPT) {
                b->ip_ok = 1;
                b->ip = lround(glp_mip_obj_val(lp));
            }
        }
    }
    if (b->ok)
        b->bound = b->lp > 1e-6 ? (long)ceil(b->lp - 1e-6) : 0;
    glp_delete_prob(lp);
    free(m.ia);
    free(m.ja);
    free(m.ar);
}
