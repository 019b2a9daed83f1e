/* balance.h — shares weighted pieces of work out over ranks, the same way on
 * every rank (the MPI sweep's members, the province-parallel run's units). */
#ifndef TOWNCOV_BALANCE_H
#define TOWNCOV_BALANCE_H

/* Largest cost first (ties: lower index), each to the least loaded rank
 * (ties: lower rank): owner[i] for i < n. Deterministic, so every rank
 * computes the same answer without talking. Returns -1 when out of
 * memory (owner[] untouched), else 0. */
int balance_ranks(const double *cost, long n, int n_ranks, int *owner);

/* The same with rank r holding start[r] of work before the share (work
 * only it does, in the costs' units; NULL: none). */
int balance_ranks_from(const double *cost, long n, int n_ranks, const double *start,
                       int *owner);

#endif
