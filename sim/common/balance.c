/* balance.c — longest-first greedy share of work over ranks (see balance.h). */
#include "towncov/balance.h"

#include <stdlib.h>

struct by_cost { double cost; long i; };

static int cmp_cost(const void *a, const void *b)
{
    const struct by_cost *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

int balance_ranks_from(const double *cost, long n, int n_ranks, const double *start, int *owner)
{
    struct by_cost *order = malloc(sizeof *order * (size_t)(n + 1));
    double *load = calloc((size_t)n_ranks, sizeof *load);
    if (!order || !load) {
        free(order);
        free(load);
        return -1;
    }
    for (int r = 0; start && r < n_ranks; r++)
        load[r] = start[r];
    for (long i = 0; i < n; i++)
        order[i] = (struct by_cost){cost[i], i};
    qsort(order, (size_t)n, sizeof *order, cmp_cost);
    for (long k = 0; k < n; k++) {
        int best = 0;
        for (int r = 1; r < n_ranks; r++)
            if (load[r] < load[best])
                best = r;
        owner[order[k].i] = best;
        load[best] += order[k].cost;
    }
    free(order);
    free(load);
    return 0;
}

int balance_ranks(const double *cost, long n, int n_ranks, int *owner)
{
    return balance_ranks_from(cost, n, n_ranks, NULL, owner);
}
