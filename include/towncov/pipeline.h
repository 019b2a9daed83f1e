/* pipeline.h — one run: scenario -> map -> sites -> footprints -> coverage
 * -> goal -> report. Kept apart from main.c so that sweeps and the
 * optimizer can drive runs without a command line. */
#ifndef TOWNCOV_PIPELINE_H
#define TOWNCOV_PIPELINE_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/goal.h"
#include "towncov/raster.h"
#include "towncov/run_outcome.h"

struct scenario; /* the stages' types are declared by run_outcome.h */

/* What the members of a sweep share: the map and its seat areas, loaded
 * once and reused by every run whose [map] and [seat areas] keys (and
 * scenario folder) are the ones they were built from; a member with others
 * replaces them. Also the last judged run's stations, footprints and
 * coverage, which a run writing no outputs (pipeline_judge) reuses when
 * its [sites], [radio] and [coverage] keys and seed are the same: a sweep
 * of the goal's thresholds judges one coverage again and again. Owned by
 * the caller, lent to runs through run_options. */
struct pipeline_cache;

struct pipeline_cache *pipeline_cache_new(void);
void pipeline_cache_free(struct pipeline_cache **cache);
/* Seconds spent loading maps and seat areas through the cache so far. */
double pipeline_cache_load_seconds(const struct pipeline_cache *cache);

struct export_postgis;
struct export_whole_texts;

struct run_options {
    int threads;          /* >= 1 */
    struct pipeline_cache *cache; /* NULL: every run loads its own map */
    const char *out_dir;  /* NULL: the scenario's [output] dir or out/<name> */
    int quiet;            /* no summary on stdout */
    FILE *log;            /* warnings and progress (stderr), never NULL */
    int progress;         /* print phase progress on log */
    long marked_sites;    /* map.png marks the last this many stations (0: none) */
    const char *extra_layer; /* a point shapefile written to PostGIS with the run's
                                tables, in their transaction (the plan's added_sites.shp);
                                NULL: none */
    const struct export_whole_texts *extra_texts; /* the whole values of a text field
                                of extra_layer its .dbf holds cut (export.h); NULL: none */
    struct export_postgis **postgis_open; /* non-NULL: the run's PostGIS transaction is
                                left open there for the caller to commit after its own
                                last file (export.h; the plan, after plan.json); NULL:
                                committed just before the output folder is renamed */
    /* The province-parallel run (`mpirun towncov run`, sim/run_mpi.c): this
     * process's rank and the ranks' count; n_ranks 0 or 1: one process,
     * which every command but run is. Rank 0 alone writes. */
    int rank, n_ranks;
    /* NULL: every township's coverage. Otherwise only the townships t with
     * judge_only[t] set are computed (cov_compute_some: exactly what a whole
     * run gives them); the others keep their area, seat area and stations
     * but count as uncovered, so the verdict fails them: the caller must
     * know them met already (sweep --find-min, whose placements are nested,
     * re-judges only the townships failing at a smaller count). Such a run's
     * coverage is never kept in the cache nor taken from it. One process
     * only (n_ranks <= 1). */
    const unsigned char *judge_only;
};

/* The province-parallel run's MPI (sim/run_mpi.c): MPI_Init in the MPI
 * build (make MPI=1) with this process's rank and the count of ranks (0
 * and 1 otherwise); 0, or -1 when MPI could not start. */
int pipeline_ranks_start(int *argc, char ***argv, int *rank, int *n_ranks);
void pipeline_ranks_stop(void);

/* Which rank computes the coverage of each township (owner[t], 0 ..
 * n_ranks-1): whole provinces (a 6-digit county code's first two digits),
 * or whole counties when there are fewer provinces than ranks, the costliest
 * (townships plus the stations standing in them) first to the least loaded
 * rank, rank 0 starting with the outputs it alone writes (a measured
 * fraction of the whole: sim/run_share.c). The same on every rank. 0, or -1 when out of memory. */
struct tc_sites;
int pipeline_ranks_share(const struct tc_map *map, const struct tc_sites *sites, int n_ranks,
                         int *owner);

/* Runs the scenario end to end and writes its outputs. Returns 0 when the
 * run completed (whatever the verdict; *goal_met tells), or -1 with err. */
int pipeline_run(const struct scenario *scn, const struct run_options *opt, int *goal_met,
                 struct tc_error *err);

/* What the stages up to the goal produced, owned (pipeline_state_free). */
struct run_state {
    struct tc_map *map;
    struct tc_seat_areas *seats;
    struct tc_sites *sites;
    struct tc_footprints *fp;
    struct cov_result *results;
    struct cov_parts *parts;   /* NULL from pipeline_judge */
    struct goal_verdict verdict;
    struct radio_model *radio; /* kept for the signal rasters */
    struct terrain_dem *dem;   /* [terrain] dem, read once; NULL without terrain */
    struct raster_outcome raster;
    struct rank_split *split;  /* a province-parallel rank's share (run_mpi.c); else NULL */
    int cached_map;            /* map and seats are the cache's, not freed here */
    int cached_results;        /* so are sites, radio, fp and results */
    double t0;
};

/* Runs the stages of pipeline_run up to the goal (load, place, footprints,
 * coverage, goal; no outputs, no output folder) into *st, with the
 * seconds of each phase. For the planner, which starts from the verdict a
 * run would give. 0, or -1 with err set (st then holds nothing). */
int pipeline_judge(const struct scenario *scn, const struct run_options *opt,
                   struct run_state *st, double seconds[PHASE_COUNT], struct tc_error *err);

/* pipeline_run that leaves what the stages produced in *st for the caller
 * (pipeline_state_free) with the seconds of each phase: a sweep member
 * that writes its usual outputs. 0, or -1 with err (st then holds nothing). */
int pipeline_run_kept(const struct scenario *scn, const struct run_options *opt,
                      struct run_state *st, double seconds[PHASE_COUNT], struct tc_error *err);

/* Frees what *st holds (not st itself). */
void pipeline_state_free(struct run_state *st);

#endif
