/* greedy.c — the planner's choice (see plan.h): slots set up from the
 * verdict, then a lazy greedy (CELF, Leskovec et al. 2007) on
 *   F(S) = sum over fixable failing townships of min(covered seat area, need),
 * monotone and submodular, then a pass dropping stations no longer needed.
 * Every covered area is the coverage engine's own (cov_seat_with), on the
 * footprints standing near the seat area. Gains are evaluated in parallel
 * over candidates, each thread writing only its candidates' slots; the
 * heap is ordered by (gain, candidate index) and re-evaluated in batches
 * of a fixed size, so the plan does not depend on the number of threads.
 * With --max-added K below the plan's size, the plan is then trimmed to K
 * stations keeping as many fixed townships as it can (trim). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/progress.h"
#include "towncov/seat.h"
#include "towncov/worker.h"

#include "plan_internal.h"

/* Stale heap entries re-evaluated together: fixed, not the thread count. */
#define BATCH 16
/* A gain below this (m2) is no gain. */
#define GAIN_MIN 1e-6

/* ---- id lists --------------------------------------------------------------*/

static int idlist_insert(struct idlist *l, long id)
{
    if (l->n == l->cap) {
        long cap = 2 * l->cap + 16;
        if (tc_resize((void **)&l->id, (size_t)cap, sizeof *l->id))
            return -1;
        l->cap = cap;
    }
    long k = l->n;
    while (k > 0 && l->id[k - 1] > id) {
        l->id[k] = l->id[k - 1];
        k--;
    }
    l->id[k] = id;
    l->n++;
    return 0;
}

static void idlist_remove(struct idlist *l, long id)
{
    long k = 0;
    while (k < l->n && l->id[k] != id)
        k++;
    if (k == l->n)
        return;
    memmove(l->id + k, l->id + k + 1, sizeof *l->id * (size_t)(l->n - k - 1));
    l->n--;
}

/* ---- one township's covered seat area --------------------------------------*/

/* Slot f's covered seat area with what stands now, plus footprint extra
 * (-1: none), or with every candidate near it (all set). NAN when GEOS
 * failed. */
static double slot_cover(const struct plan *p, struct tc_worker *w, int f, long extra, int all)
{
    const struct idlist *cur = &p->cur[f];
    long cap = cur->n + 1 + (all ? p->near[f].n : 0);
    long *ids = malloc(sizeof *ids * (size_t)cap), n = 0;
    if (!ids)
        return NAN;
    for (long k = 0; k < cur->n; k++)
        ids[n++] = cur->id[k];
    if (all)
        for (long k = 0; k < p->near[f].n; k++)
            ids[n++] = p->near[f].id[k];
    else if (extra >= 0)
        ids[n++] = extra;
    /* ascending, as the engine wants (duplicates cannot occur: an added
     * candidate is never evaluated again) */
    for (long i = 1; i < n; i++)
        for (long k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
            long tmp = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = tmp;
        }
    double c;
    int rc = cov_seat_with(w, p->engine, p->map, p->seats, p->town[f], p->all, ids, n, &c);
    free(ids);
    return rc == 0 ? c : NAN;
}

double plan_cover_with(const struct plan *p, struct tc_worker *w, int f, const long *js, long n)
{
    const struct idlist *cur = &p->cur[f];
    long *ids = malloc(sizeof *ids * ((size_t)(cur->n + n) + 1)), m = 0, a = 0, b = 0;
    if (!ids)
        return NAN;
    while (a < cur->n || b < n) /* merged ascending; candidates follow the existing ids */
        ids[m++] = b == n || (a < cur->n && cur->id[a] < p->n_exist + js[b]) ? cur->id[a++]
                                                                             : p->n_exist + js[b++];
    double c;
    int rc = cov_seat_with(w, p->engine, p->map, p->seats, p->town[f], p->all, ids, m, &c);
    free(ids);
    return rc == 0 ? c : NAN;
}

int plan_slot_met(const struct plan *p, int f)
{
    return p->cover[f] >= p->need[f];
}

static double capped(const struct plan *p, int f, double c)
{
    return c < p->need[f] ? c : p->need[f];
}

/* ---- set-up ----------------------------------------------------------------*/

static int overlaps(const struct tc_footprints *fp, long i, const double *e)
{
    return fp->xmax[i] >= e[0] && fp->xmin[i] <= e[2] && fp->ymax[i] >= e[1] &&
           fp->ymin[i] <= e[3];
}

int plan_setup(struct plan *p, const struct goal_verdict *v, double share, struct tc_error *err)
{
    int nf = v->n_failing;
    p->nf = nf;
    p->town = calloc((size_t)nf + 1, sizeof *p->town);
    p->need = calloc((size_t)nf + 1, sizeof *p->need);
    p->before = calloc((size_t)nf + 1, sizeof *p->before);
    p->cover = calloc((size_t)nf + 1, sizeof *p->cover);
    p->with_all = calloc((size_t)nf + 1, sizeof *p->with_all);
    p->fixable = calloc((size_t)nf + 1, 1);
    p->cur = calloc((size_t)nf + 1, sizeof *p->cur);
    p->near = calloc((size_t)nf + 1, sizeof *p->near);
    p->aff = calloc((size_t)p->n_cand + 1, sizeof *p->aff);
    p->naff = calloc((size_t)p->n_cand + 1, sizeof *p->naff);
    p->added = calloc((size_t)p->n_cand + 1, sizeof *p->added);
    if (!p->town || !p->need || !p->before || !p->cover || !p->with_all || !p->fixable ||
        !p->cur || !p->near || !p->aff || !p->naff || !p->added)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    int failed = 0;
    /* What stands near each seat area; the candidates near it (serial: a
     * linear scan of envelopes, cheap beside the engine). */
    for (int f = 0; f < nf && !failed; f++) {
        int t = v->failing[f];
        p->town[f] = t;
        double area = p->seats->area_m2[t];
        p->need[f] = fmin(area, share * area * (1 + 1e-12));
        const double *e = p->seats->envelope[t];
        for (long i = 0; i < p->all->n && !failed; i++)
            if (overlaps(p->all, i, e))
                failed = idlist_insert(i < p->n_exist ? &p->cur[f] : &p->near[f], i);
    }
    for (int f = 0; f < nf && !failed; f++)
        for (long k = 0; k < p->near[f].n && !failed; k++) {
            long j = p->near[f].id[k] - p->n_exist;
            int *a = realloc(p->aff[j], sizeof *a * (size_t)(p->naff[j] + 1));
            failed = !a;
            if (a) {
                a[p->naff[j]++] = f;
                p->aff[j] = a;
            }
        }
    if (failed)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    #pragma omp parallel num_threads(p->ws->n)
    {
        struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
        #pragma omp for schedule(dynamic, 1)
        for (int f = 0; f < nf; f++) {
            p->before[f] = p->cover[f] = slot_cover(p, w, f, -1, 0);
            p->with_all[f] = slot_cover(p, w, f, -1, 1);
            if (isnan(p->before[f]) || isnan(p->with_all[f]))
                tc_worker_failf(w, f, TC_EXIT_INTERNAL, "GEOS failed on township %s",
                                p->map->t[p->town[f]].code);
        }
    }
    if (tc_workers_failure(p->ws, err) != 0)
        return -1;
    for (int f = 0; f < nf; f++)
        p->fixable[f] = share > 0 && p->with_all[f] >= p->need[f];
    return 0;
}

/* ---- the greedy ------------------------------------------------------------*/

/* Candidate j's marginal gain: the capped covered area it adds over the
 * fixable slots not yet met. */
static double gain_of(struct plan *p, struct tc_worker *w, long j)
{
    double g = 0;
    for (int k = 0; k < p->naff[j]; k++) {
        int f = p->aff[j][k];
        if (!p->fixable[f] || plan_slot_met(p, f))
            continue;
        double c = slot_cover(p, w, f, p->n_exist + j, 0);
        if (isnan(c)) {
            tc_worker_failf(w, j, TC_EXIT_INTERNAL, "GEOS failed on township %s",
                            p->map->t[p->town[f]].code);
            return 0;
        }
        g += capped(p, f, c) - capped(p, f, p->cover[f]);
    }
    return g;
}

/* The heap: entries ordered by gain (larger first), then index (smaller). */
struct heap {
    long *j;
    long n;
    const double *gain;
};

static int above(const struct heap *h, long a, long b)
{
    double ga = h->gain[a], gb = h->gain[b];
    return ga != gb ? ga > gb : a < b;
}

static void heap_push(struct heap *h, long j)
{
    long k = h->n++;
    h->j[k] = j;
    while (k > 0 && above(h, h->j[k], h->j[(k - 1) / 2])) {
        long par = (k - 1) / 2, tmp = h->j[k];
        h->j[k] = h->j[par];
        h->j[par] = tmp;
        k = par;
    }
}

static long heap_pop(struct heap *h)
{
    long top = h->j[0];
    h->j[0] = h->j[--h->n];
    for (long k = 0;;) {
        long l = 2 * k + 1, r = l + 1, m = k;
        if (l < h->n && above(h, h->j[l], h->j[m]))
            m = l;
        if (r < h->n && above(h, h->j[r], h->j[m]))
            m = r;
        if (m == k)
            break;
        long tmp = h->j[k];
        h->j[k] = h->j[m];
        h->j[m] = tmp;
        k = m;
    }
    return top;
}

/* Evaluates candidates js[0..n-1] in parallel into gain[], stamping them. */
static void evaluate(struct plan *p, const long *js, long n, double *gain, long *stamp,
                     long now)
{
    #pragma omp parallel num_threads(p->ws->n)
    {
        struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
        #pragma omp for schedule(dynamic, 1)
        for (long k = 0; k < n; k++) {
            gain[js[k]] = gain_of(p, w, js[k]);
            stamp[js[k]] = now;
        }
    }
    p->evaluations += n;
}

/* Puts footprint id (a candidate's) near its slots (add) or takes it away,
 * and recomputes their cover. */
static int place(struct plan *p, long j, int add)
{
    for (int k = 0; k < p->naff[j]; k++) {
        struct idlist *l = &p->cur[p->aff[j][k]];
        if (add ? idlist_insert(l, p->n_exist + j) : (idlist_remove(l, p->n_exist + j), 0))
            return -1;
    }
    #pragma omp parallel num_threads(p->ws->n)
    {
        struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
        #pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < p->naff[j]; k++) {
            int f = p->aff[j][k];
            p->cover[f] = slot_cover(p, w, f, -1, 0);
            if (isnan(p->cover[f]))
                tc_worker_failf(w, f, TC_EXIT_INTERNAL, "GEOS failed on township %s",
                                p->map->t[p->town[f]].code);
        }
    }
    return 0;
}

int plan_place_fixed(struct plan *p, struct tc_error *err)
{
    unsigned char *touched = calloc((size_t)p->nf + 1, 1);
    int *slots = malloc(sizeof *slots * ((size_t)p->nf + 1)), n = 0;
    if (!touched || !slots) {
        free(touched);
        free(slots);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    }
    int rc = 0;
    for (int q = 0; q < p->mip.n && rc == 0; q++) {
        const struct plan_comp *c = &p->mip.c[q];
        for (long k = 0; c->chosen && k < c->n_chosen && rc == 0; k++) {
            long j = c->chosen[k];
            p->added[p->n_added++] = j;
            for (int a = 0; a < p->naff[j] && rc == 0; a++) {
                int f = p->aff[j][a];
                rc = idlist_insert(&p->cur[f], p->n_exist + j);
                touched[f] = 1;
            }
        }
    }
    p->n_fixed = p->n_added;
    for (int f = 0; f < p->nf; f++)
        if (touched[f])
            slots[n++] = f;
    if (rc != 0)
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    if (rc == 0) {
        #pragma omp parallel num_threads(p->ws->n)
        {
            struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
            #pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < n; k++) {
                int f = slots[k];
                p->cover[f] = slot_cover(p, w, f, -1, 0);
                if (isnan(p->cover[f]))
                    tc_worker_failf(w, f, TC_EXIT_INTERNAL, "GEOS failed on township %s",
                                    p->map->t[p->town[f]].code);
            }
        }
        rc = tc_workers_failure(p->ws, err);
    }
    free(touched);
    free(slots);
    return rc;
}

static int all_fixable_met(const struct plan *p)
{
    for (int f = 0; f < p->nf; f++)
        if (p->fixable[f] && !plan_slot_met(p, f))
            return 0;
    return 1;
}

/* The progress bar: fixable slots met of all fixable slots. */
static void show_progress(const struct plan *p)
{
    long met = 0, fixable = 0;
    for (int f = 0; f < p->nf; f++) {
        fixable += p->fixable[f] != 0;
        met += p->fixable[f] && plan_slot_met(p, f);
    }
    tc_progress("plan greedy", met, fixable);
}

/* Drops, last added first, each station the greedy added whose slots all
 * stay met (or stay as they were, for slots it did not fix) without it.
 * The MIP's stations stay: an optimal component's solution has none to
 * spare on the discretisation. */
static int drop_pass(struct plan *p, struct tc_error *err)
{
    double *keep = malloc(sizeof *keep * ((size_t)p->nf + 1));
    unsigned char *was = malloc((size_t)p->nf + 1);
    if (!keep || !was) {
        free(keep);
        free(was);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    }
    int rc = 0;
    for (long k = p->n_added - 1; k >= p->n_fixed && rc == 0; k--) {
        long j = p->added[k];
        for (int a = 0; a < p->naff[j]; a++) {
            int f = p->aff[j][a];
            keep[f] = p->cover[f];
            was[f] = (unsigned char)plan_slot_met(p, f);
        }
        if (place(p, j, 0) != 0 || tc_workers_failure(p->ws, err) != 0) {
            rc = -1;
            break;
        }
        int needed = 0;
        for (int a = 0; a < p->naff[j] && !needed; a++) {
            int f = p->aff[j][a];
            needed = was[f] && !plan_slot_met(p, f);
        }
        if (!needed) {
            memmove(p->added + k, p->added + k + 1, sizeof *p->added * (size_t)(p->n_added - k - 1));
            p->n_added--;
            p->n_dropped++;
            continue;
        }
        for (int a = 0; a < p->naff[j]; a++) /* put it back: the same ids, the same cover */
            if (idlist_insert(&p->cur[p->aff[j][a]], p->n_exist + j) != 0)
                rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
        for (int a = 0; a < p->naff[j]; a++)
            p->cover[p->aff[j][a]] = keep[p->aff[j][a]];
    }
    free(keep);
    free(was);
    return rc;
}

/* Whether added station k (index into p->added) stands near slot f. */
static int reaches(const struct plan *p, long k, int f)
{
    long id = p->n_exist + p->added[k];
    for (long q = 0; q < p->cur[f].n; q++)
        if (p->cur[f].id[q] == id)
            return 1;
    return 0;
}

/* --max-added K below what the full plan needs: keeps the stations of as
 * many of the townships it fixed as K allows, taking each time the
 * township that needs the fewest stations not kept yet (ties: the smaller
 * deficit, then the slot), and removes the others. */
static int trim(struct plan *p, long max_added, struct tc_error *err)
{
    unsigned char *kept = calloc((size_t)p->n_added + 1, 1);
    unsigned char *done = calloc((size_t)p->nf + 1, 1);
    int rc = kept && done ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    long count = 0;
    for (;;) {
        int best = -1;
        long best_extra = 0;
        for (int f = 0; rc == 0 && f < p->nf; f++) {
            if (done[f] || !p->fixable[f] || !plan_slot_met(p, f) || p->before[f] >= p->need[f])
                continue;
            long extra = 0;
            for (long k = 0; k < p->n_added; k++)
                extra += !kept[k] && reaches(p, k, f);
            double d = p->need[f] - p->before[f];
            if (count + extra <= max_added &&
                (best < 0 || extra < best_extra ||
                 (extra == best_extra && d < p->need[best] - p->before[best])))
                best = f, best_extra = extra;
        }
        if (best < 0)
            break;
        done[best] = 1;
        for (long k = 0; k < p->n_added; k++)
            if (reaches(p, k, best))
                kept[k] = 1;
        count += best_extra;
    }
    long n = 0;
    for (long k = 0; rc == 0 && k < p->n_added; k++) {
        if (kept[k]) {
            p->added[n++] = p->added[k];
            continue;
        }
        if (place(p, p->added[k], 0) != 0)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
        else
            rc = tc_workers_failure(p->ws, err);
    }
    if (rc == 0) {
        p->n_trimmed = p->n_added - n;
        p->n_added = n;
    }
    free(kept);
    free(done);
    return rc;
}

int plan_greedy(struct plan *p, long max_added, struct tc_error *err)
{
    long nc = p->n_cand;
    double *gain = calloc((size_t)nc + 1, sizeof *gain);
    long *stamp = calloc((size_t)nc + 1, sizeof *stamp);
    long *js = malloc(sizeof *js * ((size_t)nc + 1));
    struct heap h = {.j = malloc(sizeof *h.j * ((size_t)nc + 1)), .gain = gain};
    if (!gain || !stamp || !js || !h.j) {
        free(gain);
        free(stamp);
        free(js);
        free(h.j);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    }
    long n = 0;
    for (long j = 0; j < nc; j++)
        if (p->naff[j] > 0)
            js[n++] = j;
    evaluate(p, js, n, gain, stamp, 0);
    int rc = tc_workers_failure(p->ws, err);
    for (long k = 0; k < n; k++)
        if (gain[js[k]] > GAIN_MIN)
            heap_push(&h, js[k]);
    while (rc == 0 && h.n > 0 && !all_fixable_met(p)) {
        long now = p->n_added;
        if (tc_interrupted()) {
            rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while planning");
            break;
        }
        if (stamp[h.j[0]] == now) { /* fresh and above every bound: take it */
            long j = heap_pop(&h);
            if (gain[j] <= GAIN_MIN)
                break;
            p->added[p->n_added++] = j;
            if (place(p, j, 1) != 0)
                rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
            else
                rc = tc_workers_failure(p->ws, err);
            show_progress(p);
            continue;
        }
        long m = 0;
        while (m < BATCH && h.n > 0 && stamp[h.j[0]] != now)
            js[m++] = heap_pop(&h);
        evaluate(p, js, m, gain, stamp, now);
        rc = tc_workers_failure(p->ws, err);
        for (long k = 0; k < m; k++)
            if (gain[js[k]] > GAIN_MIN)
                heap_push(&h, js[k]);
    }
    tc_progress_end();
    p->n_greedy = p->n_added - p->n_fixed;
    if (rc == 0)
        rc = drop_pass(p, err);
    if (rc == 0 && max_added > 0 && p->n_added > max_added)
        rc = trim(p, max_added, err);
    free(gain);
    free(stamp);
    free(js);
    free(h.j);
    return rc;
}

void plan_free(struct plan *p)
{
    for (int f = 0; p->cur && f < p->nf; f++) {
        free(p->cur[f].id);
        free(p->near[f].id);
    }
    for (long j = 0; p->aff && j < p->n_cand; j++)
        free(p->aff[j]);
    free(p->town);
    free(p->need);
    free(p->before);
    free(p->cover);
    free(p->with_all);
    free(p->fixable);
    free(p->cur);
    free(p->near);
    free(p->aff);
    free(p->naff);
    free(p->added);
    plan_mip_free(p);
    tc_workers_free(&p->ws);
}
