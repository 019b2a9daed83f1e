/* webster.c — which township each drawn station goes to: the Webster
 * (Sainte-Laguë) divisor method taken as a sequence. Station k goes to the
 * township of highest priority weight / (q + 0.5), q being the stations it
 * already has; ties go to the lowest township index. The first n stations of
 * the sequence are Webster's apportionment of n, whatever the count asked:
 * the method is house-monotone, so a larger sites.count only appends
 * stations (largest remainder is not: the Alabama paradox), which is what
 * sweeps and a bisection on sites.count need. */
#include "sites_internal.h"

#include <stdlib.h>

/* A heap entry: a township and its current priority. */
struct prio { double p; int t; };

/* Whether a goes before b: higher priority, then the lower index. Exact
 * double comparison: every priority is one IEEE division of the same
 * operands on any machine, so the sequence is the same everywhere. */
static int goes_first(const struct prio *a, const struct prio *b)
{
    return a->p > b->p || (a->p == b->p && a->t < b->t);
}

/* Moves heap[at] down to its place in a heap of n entries. */
static void sift_down(struct prio *heap, long n, long at)
{
    struct prio e = heap[at];
    for (;;) {
        long c = 2 * at + 1;
        if (c >= n)
            break;
        if (c + 1 < n && goes_first(&heap[c + 1], &heap[c]))
            c++;
        if (!goes_first(&heap[c], &e))
            break;
        heap[at] = heap[c];
        at = c;
    }
    heap[at] = e;
}

int sites_webster(const double *weight, int n, long count, int *township, long *quota)
{
    return sites_webster_from(weight, n, NULL, count, township, quota);
}

int sites_webster_from(const double *weight, int n, const long *given, long count,
                       int *township, long *quota)
{
    double total = 0;
    for (int t = 0; t < n; t++)
        total += weight[t];
    if (!(total > 0))
        return -1;
    struct prio *heap = malloc(sizeof *heap * (size_t)n);
    if (!heap)
        return -2;
    for (int t = 0; t < n; t++) {
        quota[t] = given ? given[t] : 0;
        heap[t] = (struct prio){weight[t] / ((double)quota[t] + 0.5), t};
    }
    for (long at = n / 2 - 1; at >= 0; at--)
        sift_down(heap, n, at);
    /* Zero weights stay at priority 0 below every positive one: never
     * chosen, since some weight is positive. */
    for (long k = 0; k < count; k++) {
        int t = heap[0].t;
        township[k] = t;
        quota[t]++;
        heap[0].p = weight[t] / ((double)quota[t] + 0.5);
        sift_down(heap, n, 0);
    }
    free(heap);
    return 0;
}

void sites_slots(const int *unit, long count, int n, const long *quota, long *first, long *slot)
{
    long next = 0;
    for (int t = 0; t < n; t++) {
        first[t] = next;
        next += quota[t];
    }
    for (long k = 0; k < count; k++)
        slot[k] = first[unit[k]]++;
    for (int t = 0; t < n; t++) /* back to each unit's start */
        first[t] -= quota[t];
}
