/* run_mpi.c — the province-parallel run (issue 26; docs/national.md): under
 * mpirun, `towncov run` splits the coverage stage's townships over the ranks
 * by province and gathers one set of outputs on rank 0.
 *
 * Every rank loads the map and computes the placement's sequence (it is
 * global: demand and the Webster sequence allocate over the whole map, so
 * each rank computes the same sequence rather than receive it); the ranks
 * share out the townships; rank 0 draws every station, each other rank only
 * those of the townships that may reach its share, at the points a whole
 * placement gives them (pipeline_place); and each builds the footprints of only the
 * stations that can reach its own (those standing in them, and those
 * within a footprint's longest reach of their envelopes: a bound from the
 * radio model's shapes), computes the coverage of its townships from them
 * (cov_compute_some: the candidates of a township are the same footprints
 * in the same order as a single process's, so the same doubles), and the
 * results travel to every rank (the covered parts, for the layers, to rank
 * 0 only), which judges the goal; rank 0 alone writes, with every
 * station's footprint by its kind (footprints_by_kind: the ranges sites.csv
 * and the summary print). The outputs are byte-identical to a
 * single-process run for any number of ranks and threads. When a writer
 * needs every footprint's vertices (rasters, footprints.shp), the terrain
 * reshapes them or the stations carry radio settings of their own, every
 * rank builds every footprint, as a single process does.
 *
 * The share (run_share.c): provinces (the first two digits of a 6-digit
 * county code), or counties when there are fewer provinces than ranks,
 * largest first (townships plus the stations standing in them) to the
 * least loaded rank. Every rank computes the same share from the same
 * data: nothing travels but results. Without MPI (or with one rank) the
 * stages are footprints_build and cov_compute. */
#include "pipeline_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/keypoints.h"
#include "towncov/seat.h"
#include "towncov/sites.h"
#include "towncov/terrain.h"

#ifdef TOWNCOV_MPI
#include <mpi.h>
#endif

/* The footprints of `sites` (and over the terrain) into st->fp. */
static int build_footprints(const struct scenario *scn, const struct run_options *opt,
                            struct run_state *st, const struct tc_sites *sites,
                            struct tc_error *err)
{
    st->fp = footprints_build(st->radio, st->map, sites, opt->threads, err);
    if (!st->fp || pipeline_interrupted(err))
        return -1;
    if (scn->terrain.model != TERRAIN_NONE &&
        footprints_terrain_stage(&st->fp, st->radio, &scn->terrain, scn->base_dir, st->map,
                                 sites, opt->threads, opt->log, &st->dem, NULL, err) != 0)
        return -1;
    return 0;
}

#ifndef TOWNCOV_MPI

int pipeline_ranks_start(int *argc, char ***argv, int *rank, int *n_ranks)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *n_ranks = 1;
    return 0;
}

void pipeline_ranks_stop(void) {}

int pipeline_place(const struct scenario *scn, const struct run_options *opt,
                   struct run_state *st, struct tc_error *err)
{
    st->sites = sites_place_on(&scn->sites, st->map, st->seats,
                               (unsigned long long)scn->info.seed, scn->base_dir, opt->threads,
                               opt->log, err);
    return st->sites ? pipeline_verify_sites(scn, st, err) : -1;
}

int pipeline_footprints(const struct scenario *scn, const struct run_options *opt,
                        struct run_state *st, struct tc_error *err)
{
    return build_footprints(scn, opt, st, st->sites, err);
}

int pipeline_coverage(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, int keep_parts, struct tc_error *err)
{
    if (pipeline_check_coverage_memory(opt, st->map, st->fp, err) != 0)
        return -1;
    return cov_compute(&scn->coverage, st->map, st->sites, st->fp, st->seats, opt->threads,
                       st->results, keep_parts ? &st->parts : NULL, err);
}

#else

/* Whether the scenario lets a split run's ranks each build only the
 * footprints that reach their townships: no writer needs every
 * footprint's vertices and no terrain reshapes them. */
static int scenario_splits(const struct scenario *scn)
{
    return scn->terrain.model == TERRAIN_NONE && !(scn->raster.resolution_m > 0) &&
           !(scn->output.layers && scn->output.footprints);
}

/* ... and the stations have no radio settings of their own (the reach
 * bound is the radio model's). */
static int footprints_split(const struct scenario *scn, const struct run_state *st)
{
    return !st->sites->radio && scenario_splits(scn);
}

/* Whether this rank draws only the stations that may reach its share: a
 * rank other than 0 (rank 0 writes every station) of a run whose
 * footprints split, with generated stations (a sites file's are read
 * whole: where each stands is known only once read; a demand raster's
 * placement is drawn cell by cell over the whole map, not township by
 * township, so every rank draws it all). Generated stations have no radio
 * settings of their own, so their footprints split. */
static int placement_split(const struct scenario *scn, const struct run_options *opt)
{
    return opt->n_ranks > 1 && opt->rank > 0 && !opt->cache && !opt->judge_only &&
           scn->sites.strategy != SITES_FILE && !scn->sites.density[0] && scenario_splits(scn);
}

struct place_ctx {
    const struct scenario *scn;
    const struct run_options *opt;
    struct run_state *st;
};

/* sites_subset's choose: the share (every station's township is known:
 * the same share as the footprints' stage computes), then the townships
 * whose stations may reach this rank's (st->split keeps both). */
static int choose_townships(void *ctx, const struct tc_sites *s, unsigned char *draw,
                            struct tc_error *err)
{
    struct place_ctx *c = ctx;
    struct run_state *st = c->st;
    struct rank_split *sp = st->split = calloc(1, sizeof *sp);
    size_t n = (size_t)st->map->n + 1;
    if (!sp || !(sp->owner = malloc(sizeof *sp->owner * n)) || !(sp->drawn = malloc(n)) ||
        pipeline_ranks_share(st->map, s, c->opt->n_ranks, sp->owner) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory sharing out the townships");
    st->radio = radio_model_new(&c->scn->radio, err);
    if (!st->radio)
        return -1;
    double reach = pipeline_reach_bound(st->radio, st->map);
    sp->towns_drawn = reach < 0 ? -1
                                : pipeline_townships_reaching(st->map, st->seats, sp->owner,
                                                              c->opt->rank, reach, draw);
    if (sp->towns_drawn < 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory sharing out the townships");
    memcpy(sp->drawn, draw, n - 1);
    for (long i = 0; i < s->n; i++)
        sp->n_drawn += draw[s->township[i]];
    return 0;
}

int pipeline_place(const struct scenario *scn, const struct run_options *opt,
                   struct run_state *st, struct tc_error *err)
{
    struct place_ctx ctx = {scn, opt, st};
    struct sites_subset subset = {choose_townships, &ctx};
    int split = placement_split(scn, opt);
    st->sites = sites_place_some(&scn->sites, st->map, st->seats,
                                 (unsigned long long)scn->info.seed, scn->base_dir, opt->threads,
                                 opt->log, split ? &subset : NULL, err);
    int rc = st->sites ? pipeline_verify_sites(scn, st, err) : -1;
    /* The ranks that place alike fail alike and agree later; one that drew
     * a part fails alone (out of memory, or a broken invariant): the
     * others would wait for it in the next stage's collective calls. */
    if (rc != 0 && split && err->exit_code != TC_EXIT_INTERRUPTED) {
        fprintf(stderr, "towncov: error: rank %d: %s\n", opt->rank, err->msg);
        MPI_Abort(MPI_COMM_WORLD, err->exit_code ? err->exit_code : TC_EXIT_INTERNAL);
    }
    return rc;
}

/* This rank's share and the footprints of the stations reaching it into
 * st->split and st->fp; *kept gets how many. 0, or -1 with err. */
static int split_footprints(const struct scenario *scn, const struct run_options *opt,
                            struct run_state *st, long *kept, struct tc_error *err)
{
    /* the share is there already when the placement was split */
    struct rank_split *sp = st->split ? st->split : calloc(1, sizeof *sp);
    unsigned char *keep = malloc((size_t)st->sites->n + 1);
    st->split = sp;
    *kept = -1;
    if (sp && keep &&
        (sp->drawn || ((sp->owner = malloc(sizeof *sp->owner * ((size_t)st->map->n + 1))) &&
                       pipeline_ranks_share(st->map, st->sites, opt->n_ranks, sp->owner) == 0))) {
        double reach = pipeline_reach_bound(st->radio, st->map);
        *kept = reach < 0 ? -1
                          : pipeline_stations_reaching(st->map, st->sites, sp->owner, opt->rank, reach,
                                              keep);
        /* the stations not drawn stand at their seats, not where they
         * are: none of them can reach (pipeline_townships_reaching), and
         * none is taken for one that can */
        for (long i = 0; *kept >= 0 && sp->drawn && i < st->sites->n; i++)
            if (keep[i] && !sp->drawn[st->sites->township[i]]) {
                keep[i] = 0;
                --*kept;
            }
        if (*kept >= 0)
            sp->sites = pipeline_sites_kept(st->sites, keep, *kept);
    }
    free(keep);
    if (!sp || !sp->sites)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory sharing out the stations");
    return build_footprints(scn, opt, st, sp->sites, err);
}

int pipeline_ranks_start(int *argc, char ***argv, int *rank, int *n_ranks)
{
    int provided;
    /* Only the main thread calls MPI; OpenMP threads work between calls. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, n_ranks);
    return 0;
}

/* Waits, asleep, until every rank has come here. Open MPI's blocking
 * calls poll while they wait: a rank done early would take a core from the
 * ranks still computing whenever ranks share cores (their own threads, or
 * other work on the machine: a waiting rank was seen taking 7 times the
 * CPU of the rank it waited for), and its CPU time would count the wait. */
static void wait_for_all(void)
{
    MPI_Request req;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    for (int done = 0;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL); /* 1 ms */
    }
}

void pipeline_ranks_stop(void)
{
    wait_for_all(); /* while rank 0 writes the outputs */
    MPI_Finalize();
}

/* Memory for what travels: a rank without it cannot take part in the
 * collective calls the others wait in, so it stops them all. */
static void *must_alloc(size_t size)
{
    void *p = malloc(size + 1);
    if (!p)
        MPI_Abort(MPI_COMM_WORLD, TC_EXIT_RESOURCE);
    return p;
}

/* Every rank's status after a step: 0 when all succeeded; else every rank
 * gets the error of the lowest rank that failed, and -1. */
static int agree_on_status(const struct run_options *opt, int rc, struct tc_error *err)
{
    wait_for_all(); /* the ranks end their share of a stage at different times */
    int *all = must_alloc(sizeof *all * (size_t)opt->n_ranks);
    MPI_Allgather(&rc, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    int first = -1;
    for (int r = 0; r < opt->n_ranks && first < 0; r++)
        if (all[r] != 0)
            first = r;
    free(all);
    if (first < 0)
        return 0;
    MPI_Bcast(err, (int)sizeof *err, MPI_BYTE, first, MPI_COMM_WORLD);
    return -1;
}

/* "placement split over 2 ranks: 36, 20 of 36 townships drawn (150, 84
 * of 150 stations)" on the log, when a rank drew only some. */
static void log_placement(const struct run_options *opt, const struct run_state *st)
{
    const struct rank_split *sp = st->split;
    long mine[2] = {sp && sp->drawn ? sp->towns_drawn : st->map->n,
                    sp && sp->drawn ? sp->n_drawn : st->sites->n};
    long *all = must_alloc(sizeof *all * 2 * (size_t)opt->n_ranks);
    MPI_Gather(mine, 2, MPI_LONG, all, 2, MPI_LONG, 0, MPI_COMM_WORLD);
    int some = 0;
    for (int r = 0; r < opt->n_ranks; r++)
        some = some || all[2 * r + 1] < st->sites->n;
    if (opt->rank == 0 && !opt->quiet && some) {
        fprintf(opt->log, "towncov: placement split over %d ranks:", opt->n_ranks);
        for (int r = 0; r < opt->n_ranks; r++)
            fprintf(opt->log, "%s %ld", r ? "," : "", all[2 * r]);
        fprintf(opt->log, " of %d townships drawn (", st->map->n);
        for (int r = 0; r < opt->n_ranks; r++)
            fprintf(opt->log, "%s%ld", r ? ", " : "", all[2 * r + 1]);
        fprintf(opt->log, " of %ld stations)\n", st->sites->n);
    }
    free(all);
}

/* "footprints split over 2 ranks: 80, 95 of 150 stations" on the log. */
static void log_footprints(const struct run_options *opt, long kept, long n)
{
    long *all = must_alloc(sizeof *all * (size_t)opt->n_ranks);
    MPI_Gather(&kept, 1, MPI_LONG, all, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if (opt->rank == 0 && !opt->quiet) {
        fprintf(opt->log, "towncov: footprints split over %d ranks:", opt->n_ranks);
        for (int r = 0; r < opt->n_ranks; r++)
            fprintf(opt->log, "%s %ld", r ? "," : "", all[r]);
        fprintf(opt->log, " of %ld stations\n", n);
    }
    free(all);
}

int pipeline_footprints(const struct scenario *scn, const struct run_options *opt,
                        struct run_state *st, struct tc_error *err)
{
    if (opt->n_ranks <= 1)
        return build_footprints(scn, opt, st, st->sites, err);
    if (!footprints_split(scn, st))
        return agree_on_status(opt, build_footprints(scn, opt, st, st->sites, err), err);
    long kept = 0;
    int rc = split_footprints(scn, opt, st, &kept, err);
    if (agree_on_status(opt, rc, err) != 0)
        return -1;
    log_placement(opt, st);
    log_footprints(opt, kept, st->sites->n);
    return 0;
}

/* What a rank computed, as bytes: its townships' results (ascending) and
 * their key points' flags (township by township), so that every rank can
 * put each where it belongs from the shared owner[]. */
static size_t pack_size(const struct tc_map *map, const struct tc_key_points *kp,
                        const int *owner, int rank)
{
    size_t size = 0;
    for (int t = 0; t < map->n; t++)
        if (owner[t] == rank)
            size += sizeof(struct cov_result) + (size_t)(kp->first[t + 1] - kp->first[t]);
    return size;
}

static void pack(const struct run_state *st, const int *owner, int rank, char *buf)
{
    const struct tc_key_points *kp = st->seats->keys;
    for (int t = 0; t < st->map->n; t++) {
        if (owner[t] != rank)
            continue;
        memcpy(buf, &st->results[t], sizeof st->results[t]);
        buf += sizeof st->results[t];
        for (long j = kp->first[t]; j < kp->first[t + 1]; j++)
            *buf++ = (char)kp->covered[kp->order[j]];
    }
}

static void unpack(struct run_state *st, const int *owner, int rank, const char *buf)
{
    const struct tc_key_points *kp = st->seats->keys;
    for (int t = 0; t < st->map->n; t++) {
        if (owner[t] != rank)
            continue;
        memcpy(&st->results[t], buf, sizeof st->results[t]);
        buf += sizeof st->results[t];
        for (long j = kp->first[t]; j < kp->first[t + 1]; j++)
            kp->covered[kp->order[j]] = (unsigned char)*buf++;
    }
}

/* Every rank's results to every rank (a few MB at national scale). The
 * sizes are the same on every rank, so a refusal is too. */
static int share_results(const struct run_options *opt, struct run_state *st, const int *owner,
                         struct tc_error *err)
{
    int n = opt->n_ranks;
    int *counts = must_alloc(sizeof *counts * (size_t)n);
    int *displs = must_alloc(sizeof *displs * (size_t)n);
    size_t total = 0;
    for (int r = 0; r < n; r++) {
        size_t size = pack_size(st->map, st->seats->keys, owner, r);
        if (total + size > INT32_MAX) {
            free(counts);
            free(displs);
            return tc_fail(err, TC_EXIT_RESOURCE, "the ranks' results pass 2 GB");
        }
        counts[r] = (int)size;
        displs[r] = (int)total;
        total += size;
    }
    char *all = must_alloc(total);
    pack(st, owner, opt->rank, all + displs[opt->rank]);
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, counts, displs, MPI_BYTE,
                   MPI_COMM_WORLD);
    for (int r = 0; r < n; r++)
        if (r != opt->rank)
            unpack(st, owner, r, all + displs[r]);
    free(all);
    free(counts);
    free(displs);
    return 0;
}

/* ---- the covered parts (the layers), to rank 0 ------------------------- */

#define TAG_PARTS 26
#define CHUNK ((size_t)1 << 30)

/* An array of any size, in pieces MPI's int counts can name. */
static void send_bytes(const void *p, size_t size)
{
    for (size_t off = 0; off < size; off += CHUNK) {
        size_t k = size - off < CHUNK ? size - off : CHUNK;
        MPI_Send((const char *)p + off, (int)k, MPI_BYTE, 0, TAG_PARTS, MPI_COMM_WORLD);
    }
}

static void *recv_bytes(int from, size_t size)
{
    char *p = must_alloc(size);
    for (size_t off = 0; off < size; off += CHUNK) {
        size_t k = size - off < CHUNK ? size - off : CHUNK;
        MPI_Recv(p + off, (int)k, MPI_BYTE, from, TAG_PARTS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    return p;
}

static void send_parts(const struct cov_parts *p)
{
    long nring = p->first[p->n], nv = p->start[nring], head[3] = {p->n, nring, nv};
    MPI_Send(head, 3, MPI_LONG, 0, TAG_PARTS, MPI_COMM_WORLD);
    send_bytes(p->first, sizeof *p->first * ((size_t)p->n + 1));
    send_bytes(p->start, sizeof *p->start * ((size_t)nring + 1));
    send_bytes(p->shell, sizeof *p->shell * (size_t)nring);
    send_bytes(p->x, sizeof *p->x * (size_t)nv);
    send_bytes(p->y, sizeof *p->y * (size_t)nv);
    send_bytes(p->missing, (size_t)p->n);
}

static struct cov_parts *recv_parts(int from)
{
    long head[3];
    MPI_Recv(head, 3, MPI_LONG, from, TAG_PARTS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    struct cov_parts *p = must_alloc(sizeof *p);
    p->n = (int)head[0];
    p->first = recv_bytes(from, sizeof *p->first * ((size_t)head[0] + 1));
    p->start = recv_bytes(from, sizeof *p->start * ((size_t)head[1] + 1));
    p->shell = recv_bytes(from, sizeof *p->shell * (size_t)head[1]);
    p->x = recv_bytes(from, sizeof *p->x * (size_t)head[2]);
    p->y = recv_bytes(from, sizeof *p->y * (size_t)head[2]);
    p->missing = recv_bytes(from, (size_t)head[0]);
    return p;
}

/* Township t's rings from the parts of the rank that computed it, laid
 * out as cov_compute lays them out: in township order. */
static struct cov_parts *assemble_parts(int n, const int *owner, struct cov_parts **of)
{
    long nring = 0, nv = 0;
    for (int t = 0; t < n; t++) {
        const struct cov_parts *q = of[owner[t]];
        nring += q->first[t + 1] - q->first[t];
        nv += q->start[q->first[t + 1]] - q->start[q->first[t]];
    }
    struct cov_parts *p = must_alloc(sizeof *p);
    p->n = n;
    p->first = must_alloc(sizeof *p->first * ((size_t)n + 1));
    p->start = must_alloc(sizeof *p->start * ((size_t)nring + 1));
    p->shell = must_alloc(sizeof *p->shell * ((size_t)nring + 1));
    p->x = must_alloc(sizeof *p->x * ((size_t)nv + 1));
    p->y = must_alloc(sizeof *p->y * ((size_t)nv + 1));
    p->missing = must_alloc((size_t)n + 1);
    long r = 0, v = 0;
    for (int t = 0; t < n; t++) {
        const struct cov_parts *q = of[owner[t]];
        long r0 = q->first[t], r1 = q->first[t + 1], v0 = q->start[r0], v1 = q->start[r1];
        p->first[t] = r;
        p->missing[t] = q->missing[t];
        memcpy(p->x + v, q->x + v0, sizeof *p->x * (size_t)(v1 - v0));
        memcpy(p->y + v, q->y + v0, sizeof *p->y * (size_t)(v1 - v0));
        for (long k = r0; k < r1; k++) {
            p->start[r + k - r0] = v + q->start[k] - v0;
            p->shell[r + k - r0] = r + q->shell[k] - r0;
        }
        r += r1 - r0;
        v += v1 - v0;
    }
    p->first[n] = r;
    p->start[r] = v;
    return p;
}

/* Rank 0's *parts become every township's, each from the rank that
 * computed it; the other ranks' are sent there and freed. */
static void gather_parts(const struct run_options *opt, const int *owner, struct cov_parts **parts)
{
    if (opt->rank != 0) {
        send_parts(*parts);
        cov_parts_free(parts);
        return;
    }
    struct cov_parts **of = must_alloc(sizeof *of * (size_t)opt->n_ranks);
    of[0] = *parts;
    for (int r = 1; r < opt->n_ranks; r++)
        of[r] = recv_parts(r);
    *parts = assemble_parts((*parts)->n, owner, of);
    for (int r = 0; r < opt->n_ranks; r++)
        cov_parts_free(&of[r]);
    free(of);
}

/* "coverage split over 3 ranks: 12, 12, 12 townships" on the log. */
static void log_share(const struct run_options *opt, const int *owner, int n)
{
    fprintf(opt->log, "towncov: coverage split over %d ranks:", opt->n_ranks);
    for (int r = 0; r < opt->n_ranks; r++) {
        int k = 0;
        for (int t = 0; t < n; t++)
            k += owner[t] == r;
        fprintf(opt->log, "%s %d", r ? "," : "", k);
    }
    fprintf(opt->log, " townships\n");
}

int pipeline_coverage(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, int keep_parts, struct tc_error *err)
{
    int rc = pipeline_check_coverage_memory(opt, st->map, st->fp, err);
    if (opt->n_ranks <= 1)
        return rc != 0 ? -1
                       : cov_compute(&scn->coverage, st->map, st->sites, st->fp, st->seats,
                                     opt->threads, st->results,
                                     keep_parts ? &st->parts : NULL, err);
    /* the estimate is each rank's own (its footprints): all go on or none */
    if (agree_on_status(opt, rc, err) != 0)
        return -1;
    int n = st->map->n;
    const struct tc_sites *sites = st->split ? st->split->sites : st->sites;
    int *owner = must_alloc(sizeof *owner * (size_t)n);
    unsigned char *mine = must_alloc((size_t)n);
    if (st->split)
        memcpy(owner, st->split->owner, sizeof *owner * (size_t)n);
    else if (pipeline_ranks_share(st->map, st->sites, opt->n_ranks, owner) != 0)
        MPI_Abort(MPI_COMM_WORLD, TC_EXIT_RESOURCE);
    for (int t = 0; t < n; t++)
        mine[t] = owner[t] == opt->rank;
    if (opt->rank == 0 && !opt->quiet)
        log_share(opt, owner, n);
    rc = cov_compute_some(&scn->coverage, st->map, sites, st->fp, st->seats, opt->threads,
                          mine, st->results, keep_parts ? &st->parts : NULL, err);
    if (agree_on_status(opt, rc, err) != 0 ||
        agree_on_status(opt, share_results(opt, st, owner, err), err) != 0)
        rc = -1;
    else if (keep_parts)
        gather_parts(opt, owner, &st->parts);
    free(owner);
    free(mine);
    /* count_sites counted the kept stations only: every township's own
     * stations are kept by its rank, so its count travelled right; rank 0
     * writes every station's ranges, by kind. */
    if (rc == 0 && st->split && opt->rank == 0) {
        footprints_free(&st->fp);
        st->fp = footprints_by_kind(st->radio, st->map, st->sites, err);
        rc = st->fp ? 0 : -1;
    }
    return rc;
}

#endif
