/* mpi.c — the ranks of a sweep (see sweep_internal.h). In the MPI build
 * (make MPI=1) every rank loads the map and runs its share of the members,
 * assigned statically by estimated cost so that no rank waits for
 * instructions; rank 0 then gathers what each gave and writes the files.
 * Members travel as bytes: the ranks run one build on one kind of machine.
 * Without MPI there is one rank and nothing travels. */
#include "sweep_internal.h"
#include "towncov/balance.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef TOWNCOV_MPI
#include <mpi.h>
#endif

/* Largest estimated cost first, each to the least loaded rank
 * (balance_ranks): the same answer on every rank. */
void sweep_ranks_assign(const struct sweep_run *run, int *owner)
{
    long n = run->table.n;
    double *cost = calloc((size_t)n + 1, sizeof *cost);
    if (cost) {
        for (long i = 0; i < n; i++)
            cost[i] = run->table.m[i].cost > 0 ? run->table.m[i].cost : 1.0;
    }
    if (!cost || run->n_ranks == 1 || balance_ranks(cost, n, run->n_ranks, owner) != 0) {
        for (long i = 0; i < n; i++) /* one rank (or no memory to balance): in turn */
            owner[i] = (int)(i % run->n_ranks);
    }
    free(cost);
}

#ifndef TOWNCOV_MPI

int sweep_ranks_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void sweep_ranks_stop(void) {}

void sweep_ranks_of(struct sweep_run *run)
{
    run->rank = 0;
    run->n_ranks = 1;
}

int sweep_ranks_gather(struct sweep_run *run, const int *owner, int status)
{
    (void)run;
    (void)owner;
    return status;
}

int sweep_ranks_share_text(const struct sweep_run *run, char **text)
{
    (void)run;
    (void)text;
    return 0;
}

int sweep_ranks_share_status(const struct sweep_run *run, int status)
{
    (void)run;
    return status;
}

#else

int sweep_ranks_start(int *argc, char ***argv)
{
    int provided;
    /* Only the main thread calls MPI; OpenMP threads work between calls. */
    return MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS ? 0 : -1;
}

void sweep_ranks_stop(void)
{
    MPI_Finalize();
}

void sweep_ranks_of(struct sweep_run *run)
{
    MPI_Comm_rank(MPI_COMM_WORLD, &run->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &run->n_ranks);
}

/* What a member's run gave, as it travels (its rows follow). */
struct member_msg {
    long index, seed;
    int goal_met, n_failing, n_townships, seats_covered, has_seat_areas, has_people;
    double covered_share, seat_share, people_share, seconds;
    uint64_t checksum;
    uint64_t rows_len;
};

#define TAG_MEMBER 14

static int send_member(const struct sweep_member *m, long i)
{
    struct member_msg h = {i, m->seed, m->goal_met, m->n_failing, m->n_townships,
                           m->seats_covered, m->has_seat_areas, m->has_people,
                           m->covered_share, m->seat_share, m->people_share, m->seconds,
                           m->checksum, m->rows_len};
    size_t size = sizeof h + m->rows_len;
    char *buf = malloc(size);
    if (!buf || size > INT32_MAX) {
        free(buf);
        return -1;
    }
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, m->rows, m->rows_len);
    int rc = MPI_Send(buf, (int)size, MPI_BYTE, 0, TAG_MEMBER, MPI_COMM_WORLD);
    free(buf);
    return rc == MPI_SUCCESS ? 0 : -1;
}

static int receive_member(struct sweep_table *t, int from)
{
    MPI_Status st;
    int size;
    MPI_Probe(from, TAG_MEMBER, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &size);
    char *buf = malloc((size_t)size + 1);
    if (!buf)
        return -1;
    MPI_Recv(buf, size, MPI_BYTE, from, TAG_MEMBER, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    struct member_msg h;
    memcpy(&h, buf, sizeof h);
    if (h.index < 0 || h.index >= t->n || sizeof h + h.rows_len != (size_t)size) {
        free(buf);
        return -1;
    }
    struct sweep_member *m = &t->m[h.index];
    free(m->rows);
    m->rows = malloc(h.rows_len + 1);
    if (m->rows)
        memcpy(m->rows, buf + sizeof h, h.rows_len);
    free(buf);
    if (!m->rows)
        return -1;
    m->rows_len = h.rows_len;
    m->seed = h.seed;
    m->goal_met = h.goal_met;
    m->n_failing = h.n_failing;
    m->n_townships = h.n_townships;
    m->seats_covered = h.seats_covered;
    m->n_judged = h.n_townships; /* only --find-min (rank 0 alone) judges fewer */
    m->has_seat_areas = h.has_seat_areas;
    m->covered_share = h.covered_share;
    m->seat_share = h.seat_share;
    m->has_people = h.has_people;
    m->people_share = h.people_share;
    m->seconds = h.seconds;
    m->checksum = h.checksum;
    m->done = 1;
    return 0;
}

int sweep_ranks_gather(struct sweep_run *run, const int *owner, int status)
{
    struct sweep_table *t = &run->table;
    int mine[2] = {status, 0}, *all = NULL;
    for (long i = 0; i < t->n; i++)
        mine[1] += owner[i] == run->rank && t->m[i].done;
    if (run->rank == 0 && !(all = malloc(sizeof *all * 2 * (size_t)run->n_ranks)))
        MPI_Abort(MPI_COMM_WORLD, TC_EXIT_RESOURCE);
    MPI_Gather(mine, 2, MPI_INT, all, 2, MPI_INT, 0, MPI_COMM_WORLD);
    int first = status, failed = 0;
    if (run->rank != 0) {
        for (long i = 0; i < t->n; i++)
            if (owner[i] == run->rank && t->m[i].done && send_member(&t->m[i], i) != 0)
                MPI_Abort(MPI_COMM_WORLD, TC_EXIT_RESOURCE);
        return status;
    }
    for (int r = 1; r < run->n_ranks; r++) {
        if (!first && all[2 * r])
            first = all[2 * r];
        for (int k = 0; k < all[2 * r + 1]; k++)
            failed |= receive_member(t, r) != 0;
    }
    free(all);
    return failed && !first ? TC_EXIT_INTERNAL : first;
}

int sweep_ranks_share_text(const struct sweep_run *run, char **text)
{
    long len = run->rank == 0 ? (long)strlen(*text) : 0;
    MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if (run->rank != 0) {
        free(*text);
        if (!(*text = calloc((size_t)len + 1, 1)))
            return -1;
    }
    MPI_Bcast(*text, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
    return 0;
}

int sweep_ranks_share_status(const struct sweep_run *run, int status)
{
    (void)run;
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

#endif
