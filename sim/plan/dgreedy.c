/* dgreedy.c — the greedy on one component of the discretised instance
 * (see mip.c): each step takes the candidate adding the most capped sample
 * weight (min(covered, required) summed over the component's townships),
 * ties to the smaller index, until every township's requirement is met.
 * It plans a component whose MIP stopped at its time limit, and its
 * solution is handed to GLPK as a first incumbent (a bound to prune by).
 * Cheap (no coverage engine): the component's atoms and candidates only. */
#include <stdlib.h>

#include "plan_internal.h"

/* Candidate k's atoms (CSR over the component's candidates, 0-based k in
 * c->cand order), with the slot (0..n_slots-1) each lies in. */
struct inverse {
    long *off, *atom;
    int *slot;
    double *w;
};

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static long local(const struct plan_comp *c, long j)
{
    const long *at = bsearch(&j, c->cand, (size_t)c->n_cand, sizeof j, cmp_long);
    return at - c->cand;
}

static int inverse_build(const struct plan *p, const struct plan_comp *c, struct inverse *v)
{
    long nz = 0;
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &p->atoms[c->slot[s]];
        nz += a->off[a->n];
    }
    v->off = calloc((size_t)c->n_cand + 2, sizeof *v->off);
    v->atom = malloc(sizeof *v->atom * ((size_t)nz + 1));
    v->slot = malloc(sizeof *v->slot * ((size_t)nz + 1));
    v->w = malloc(sizeof *v->w * ((size_t)nz + 1));
    if (!v->off || !v->atom || !v->slot || !v->w)
        return -1;
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &p->atoms[c->slot[s]];
        for (long k = 0; k < a->off[a->n]; k++)
            v->off[local(c, a->cand[k]) + 2]++;
    }
    for (long k = 0; k < c->n_cand; k++)
        v->off[k + 2] += v->off[k + 1];
    long base = 0; /* atom ids run over the component's slots in order */
    for (int s = 0; s < c->n_slots; s++) {
        const struct plan_atoms *a = &p->atoms[c->slot[s]];
        for (long q = 0; q < a->n; q++)
            for (long k = a->off[q]; k < a->off[q + 1]; k++) {
                long at = v->off[local(c, a->cand[k]) + 1]++;
                v->atom[at] = base + q;
                v->slot[at] = s;
                v->w[at] = a->w[q];
            }
        base += a->n;
    }
    return 0;
}

static void inverse_free(struct inverse *v)
{
    free(v->off);
    free(v->atom);
    free(v->slot);
    free(v->w);
}

static double capped(double got, double req)
{
    return got < req ? got : req;
}

int plan_comp_greedy(const struct plan *p, const struct plan_comp *c, unsigned char *x)
{
    struct inverse v = {0};
    double *got = calloc((size_t)c->n_slots + 1, sizeof *got);
    double *add = calloc((size_t)c->n_slots + 1, sizeof *add);
    unsigned char *covered = calloc((size_t)c->atoms + 1, 1);
    int rc = got && add && covered && inverse_build(p, c, &v) == 0 ? 0 : -1;
    for (long k = 0; k < c->n_cand; k++)
        x[k] = 0;
    for (;;) {
        int open = 0;
        for (int s = 0; s < c->n_slots; s++)
            open += got[s] < p->atoms[c->slot[s]].req;
        if (rc != 0 || !open)
            break;
        long best = -1;
        double best_gain = 0;
        for (long k = 0; k < c->n_cand; k++) {
            if (x[k])
                continue;
            for (long q = v.off[k]; q < v.off[k + 1]; q++)
                add[v.slot[q]] += covered[v.atom[q]] ? 0 : v.w[q];
            double g = 0;
            for (int s = 0; s < c->n_slots; s++) {
                double req = p->atoms[c->slot[s]].req;
                g += capped(got[s] + add[s], req) - capped(got[s], req);
                add[s] = 0;
            }
            if (g > best_gain + 1e-9)
                best = k, best_gain = g;
        }
        if (best < 0) {
            rc = 1; /* the requirement cannot be met on the discretisation */
            break;
        }
        x[best] = 1;
        for (long q = v.off[best]; q < v.off[best + 1]; q++)
            if (!covered[v.atom[q]]) {
                covered[v.atom[q]] = 1;
                got[v.slot[q]] += v.w[q];
            }
    }
    inverse_free(&v);
    free(got);
    free(add);
    free(covered);
    return rc;
}
