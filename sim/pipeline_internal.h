/* pipeline_internal.h — the driver's pieces beside pipeline.c (the stage
 * sequence): the sweep cache (pipeline_cache.c) and the output writing
 * (pipeline_output.c). Private to the driver. */
#ifndef TOWNCOV_PIPELINE_INTERNAL_H
#define TOWNCOV_PIPELINE_INTERNAL_H

#include "towncov/map.h"
#include "towncov/pipeline.h"
#include "towncov/scenario.h"
#include "towncov/verify.h"

/* 0, or an interrupted error (exit 130) once SIGINT/SIGTERM arrived. */
static inline int pipeline_interrupted(struct tc_error *err)
{
    return tc_interrupted() ? tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted") : 0;
}

/* ---- the load stage (pipeline.c) ---------------------------------------- */

/* The scenario's map, loaded and verified; the caller frees it (map_free),
 * or NULL with err. Inline: the cache loads maps too, and calls nothing
 * back in pipeline.c. */
static inline struct tc_map *pipeline_load_map(const struct scenario *scn,
                                               const struct run_options *opt,
                                               struct tc_error *err)
{
    struct tc_map *map = map_load(&scn->map, scn->base_dir, opt->threads, opt->log, err);
    if (map && verify_map(map, err) != 0)
        map_free(&map);
    return map;
}

/* ---- memory (pipeline_memory.c) ----------------------------------------- */

/* The memory a run may still take: the least of 80 % of the machine's
 * memory less what the process holds, and the address-space limit
 * (ulimit -v, RLIMIT_AS) less what the process has mapped. */
struct memory_room {
    double left;      /* bytes; < 0: unknown (no check) */
    double machine;   /* the machine's memory, bytes */
    double limit_as;  /* RLIMIT_AS, bytes; 0: none */
    const char *what; /* which of the two is the smaller, in words */
};
void pipeline_memory_room(struct memory_room *r);

/* Before placement: refuses (exit 6) a sites.count whose stations,
 * footprints and index would not fit, from an estimate linear in stations.
 * Prints the estimate on opt->log unless quiet. */
int pipeline_check_stations_memory(const struct scenario *scn, const struct run_options *opt,
                                   const struct tc_map *map, struct tc_error *err);

/* The township whose coverage costs most, by the estimate below. */
struct coverage_densest {
    int township; /* index in map->t; -1: none */
    long footprints;
    double bytes;
    double index_bytes; /* the engine's footprint index, counted in the total */
};

/* Bytes the coverage engine holds at its peak with `threads` threads: its
 * footprint index, and its scratch: the estimate (docs/robustness.md) for
 * each township from the footprints that reach it, summed over the
 * `threads` costliest; -1 when out of memory. One function, so it can be recalibrated in one place. */
double pipeline_coverage_bytes(const struct tc_map *map, const struct tc_footprints *fp,
                               int threads, struct coverage_densest *densest);

/* After the footprints, before the coverage: refuses (exit 6, naming the
 * estimate, the densest township and the limit) a coverage that cannot
 * fit in the room left. */
int pipeline_check_coverage_memory(const struct run_options *opt, const struct tc_map *map,
                                   const struct tc_footprints *fp, struct tc_error *err);

/* ---- the cache (pipeline_cache.c) --------------------------------------- */

/* The load stage through the cache: its map and seats into st (borrowed:
 * st->cached_map set), rebuilt first when scn's [map] or [seat areas] keys
 * or folder differ from theirs. 0, or -1 with err. */
int pipeline_cache_load(struct pipeline_cache *c, const struct scenario *scn,
                        const struct run_options *opt, struct run_state *st,
                        struct tc_error *err);

/* When the cache holds the coverage scn would compute (same stations,
 * radio and engine keys and seed, on the map and seats pipeline_cache_load
 * gave), lends it to st (st->cached_results set) and returns 1; else 0. */
int pipeline_cache_borrow(const struct pipeline_cache *c, const struct scenario *scn,
                          struct run_state *st);

/* Hands what st computed to the cache (it keeps it for the next member)
 * and lends it back to st. */
void pipeline_cache_keep(struct pipeline_cache *c, const struct scenario *scn,
                         struct run_state *st);

/* ---- the coverage stage, split over MPI ranks (run_mpi.c) ------------- */

/* The stations' invariants (verify_sites): 0, or -1 with err. */
static inline int pipeline_verify_sites(const struct scenario *scn, const struct run_state *st,
                                        struct tc_error *err)
{
    return verify_sites(st->map, st->sites, scn->sites.strategy == SITES_FILE &&
                        scn->sites.outside == SITES_OUTSIDE_KEEP, err);
}

/* The stations into st->sites (sites_place_on) and verified; with opt->n_ranks > 1, a
 * rank other than 0 draws only the stations of the townships that may
 * reach its share (sites_place_some, pipeline_townships_reaching: st->split
 * and st->radio then set), where the footprints will be split too: every
 * station keeps the index, township and, when drawn, the point it has in
 * a whole placement; such a rank that fails alone stops every rank
 * (MPI_Abort, its error on stderr). 0, or -1 with err. */
int pipeline_place(const struct scenario *scn, const struct run_options *opt,
                   struct run_state *st, struct tc_error *err);

/* The footprints into st->fp (footprints_build, then the terrain when the
 * scenario has one); with opt->n_ranks > 1, each rank's own share of them
 * where no writer needs them all (st->split keeps what the coverage stage
 * then reads). Every rank gets the same status. 0, or -1 with err. */
int pipeline_footprints(const struct scenario *scn, const struct run_options *opt,
                        struct run_state *st, struct tc_error *err);

/* ---- the share of the work over the ranks (run_share.c) -------------- */

/* What a rank of a split run keeps between its footprints and its
 * coverage: the share (pipeline_ranks_share), and the stations its
 * footprints are of (the run's own, in their order, those that cannot
 * reach its townships left out). */
struct rank_split {
    int *owner;
    struct tc_sites *sites;
    /* when the rank drew only some townships' stations (pipeline_place):
     * which (the others' stations stand at their seats), else NULL */
    unsigned char *drawn;
    long n_drawn;        /* stations drawn: all of them when drawn is NULL */
    int towns_drawn;     /* townships drawn */
};

/* Frees a split run's share (st->split); NULL is fine. */
void pipeline_split_free(struct rank_split **split);

/* An upper bound on how far any footprint reaches from its station, in
 * metres of the metric CRS, for stations without radio settings of their
 * own; -1 when out of memory. */
struct radio_model;
double pipeline_reach_bound(const struct radio_model *radio, const struct tc_map *map);

/* keep[i] = 1 for the stations whose footprint may reach a township t with
 * owner[t] == rank (more than needed, never less), given a reach bound;
 * returns how many, or -1 when out of memory. */
long pipeline_stations_reaching(const struct tc_map *map, const struct tc_sites *sites,
                                const int *owner, int rank, double reach, unsigned char *keep);

/* draw[t] = 1 for the townships whose stations may reach a township u
 * with owner[u] == rank, given a reach bound: u itself, and those whose
 * stations' possible points (the envelope, the seat, the seat area) come
 * within reach of u's envelope (more than needed, never less). A station
 * that pipeline_stations_reaching keeps stands in one of them. Returns how
 * many, or -1 when out of memory. seats may be NULL. */
struct tc_seat_areas;
int pipeline_townships_reaching(const struct tc_map *map, const struct tc_seat_areas *seats,
                                const int *owner, int rank, double reach, unsigned char *draw);

/* The n stations with keep[i] set, in their order (points, townships and
 * zones: what footprints and coverage read), freed with sites_free; NULL
 * when out of memory. */
struct tc_sites *pipeline_sites_kept(const struct tc_sites *s, const unsigned char *keep,
                                     long n);

/* After refusing, on every rank alike, a coverage that cannot fit
 * (pipeline_check_coverage_memory), cov_compute into st->results (and st->parts when keep_parts); with
 * opt->n_ranks > 1 each rank computes its share of the townships and every
 * rank ends with every township's result (the parts: rank 0 only), or
 * every rank with the same error. 0, or -1 with err. */
int pipeline_coverage(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, int keep_parts, struct tc_error *err);

/* ---- the outputs (pipeline_output.c) ------------------------------------ */

/* The output folder, malloc'd: --out, else [output] dir, else out/<name>. */
char *pipeline_out_dir(const struct scenario *scn, const struct run_options *opt);

/* Refuses an output folder towncov may not replace, before any work. */
int pipeline_check_out_dir(const struct scenario *scn, const char *dir, struct tc_error *err);

/* Writes every output of the run into a temporary twin of dir and swaps it
 * into place; out->seconds[PHASE_REPORT] counts from t0. 0, or -1 with
 * err (dir then as it was). */
int pipeline_write_outputs(const struct scenario *scn, struct run_state *st,
                           struct run_outcome *out, const char *dir, int threads, double t0,
                           const struct run_options *opt, struct tc_error *err);

#endif
