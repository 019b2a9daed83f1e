/* coverage.h — stage 5: how much of each township the footprints cover,
 * exactly on polygons. Engines share one interface and must agree:
 *   geos  — the reference: per township, GEOS union of the footprints that
 *           reach it, intersected with the township; OpenMP over townships.
 *   naive — the first implementation anyone would write: one thread, every
 *           footprint's envelope tested, plain union; the baseline.
 *   exact — no polygon overlay: the covered area is integrated along the
 *           pieces of boundary (Green's theorem); tested against geos.
 * Sources in sim/coverage/: the driver (coverage.c), the footprint index
 * (index.c), the engines (geos.c, naive.c, exact/), the covered parts
 * (parts.c). */
#ifndef TOWNCOV_COVERAGE_H
#define TOWNCOV_COVERAGE_H

#include <geos_c.h>

#include "towncov/common.h"
#include "towncov/coverage_config.h"

struct tc_map;
struct tc_sites;
struct tc_footprints;

/* The engines, as the [coverage] engine key numbers them (the engine
 * table, sim/coverage/engines.c, holds what each is and does). */
enum cov_engine_id { COV_ENGINE_GEOS, COV_ENGINE_NAIVE, COV_ENGINE_EXACT, COV_ENGINE_COUNT };

const char *cov_engine_name(int engine);

/* One township's outcome. */
struct cov_result {
    double area_m2;
    double covered_m2;
    double covered_frac;
    int seat_covered;
    int sites;        /* stations standing in the township */
    int footprints;   /* footprints that reach it */
    int by_geos;      /* the exact engine declined it (a degenerate contact): GEOS answered */
    double seat_area_m2;      /* its seat area (0: none computed) */
    double seat_covered_m2;   /* the covered part of it, by the same engine, same pass */
    double seat_covered_frac; /* seat_covered_m2 / seat_area_m2 (0 when no seat area) */
    int key_points;           /* key points of the township ([map] key_points) */
    int key_points_covered;   /* ... inside a footprint */
    /* People (population.h: population_cover fills them after coverage;
     * 0 when the map has no population). */
    double population, population_covered, population_covered_frac;
};

/* The covered part of every township as plain rings in the metric CRS,
 * kept by cov_compute for the exporters so that they need no second pass
 * over the footprints. Township t's rings are first[t] .. first[t+1]-1;
 * ring r's vertices are start[r] .. start[r+1]-1 of x, y (not closed),
 * shells counter-clockwise, holes clockwise; shell[r] is the shell a hole
 * lies in (r itself for a shell). missing[t] is set where the engine gave
 * no rings (it declined the township, or is not the exact engine): ask
 * cov_township_geometry there. */
struct cov_parts {
    int n;
    long *first, *start, *shell;
    double *x, *y;
    unsigned char *missing;
};

void cov_parts_free(struct cov_parts **parts);

/* Computes results[t] for every township t of the map — and of its seat
 * area when seats is not NULL: one more polygon per township, computed by
 * the same engine from the same candidate footprints in the same pass —
 * and, when parts is not NULL, the covered parts (*parts, freed by the caller with
 * cov_parts_free). Per-township results are identical whatever `threads`
 * is. Returns 0, or -1 with err set. */
struct tc_seat_areas;

int cov_compute(const struct cov_config *cfg, const struct tc_map *map,
                const struct tc_sites *sites, const struct tc_footprints *fp,
                const struct tc_seat_areas *seats, int threads,
                struct cov_result *results, struct cov_parts **parts, struct tc_error *err);

/* cov_compute for the townships t with mine[t] set only (mine NULL: all of
 * them): each of those gets exactly the result cov_compute gives it (the
 * same index over every footprint, the same candidates, the same engine);
 * the others get only their station count, and no covered parts (missing).
 * The province-parallel run (sim/run_mpi.c) splits the townships over MPI
 * ranks with it. */
int cov_compute_some(const struct cov_config *cfg, const struct tc_map *map,
                     const struct tc_sites *sites, const struct tc_footprints *fp,
                     const struct tc_seat_areas *seats, int threads, const unsigned char *mine,
                     struct cov_result *results, struct cov_parts **parts, struct tc_error *err);

/* Per-thread state for cov_seat_with: n workers from the project's factory
 * (worker.h), made serially before a parallel region, each with its GEOS
 * context and the engine's scratch; freed with tc_workers_free. NULL with
 * err set. */
struct tc_workers;
struct tc_worker;
struct tc_workers *cov_workers_new(int n, int engine, struct tc_error *err);

/* The covered part (m2) of township t's seat area by the footprints
 * ids[0..n-1] of fp (ascending; those whose envelope meets the seat
 * area's: the set cov_compute would find), computed as cov_compute does it
 * (the same engine, the same fallback, the same rounding rule; the naive
 * engine's union is the geos engine's on these footprints), so that a
 * planner sees what a run will judge. w is one of cov_workers_new's, used
 * by one thread at a time. Returns 0, or -1 when GEOS failed. */
int cov_seat_with(struct tc_worker *w, int engine, const struct tc_map *map,
                  const struct tc_seat_areas *seats, int t, const struct tc_footprints *fp,
                  const long *ids, long n, double *covered_m2);

/* Footprints whose envelope meets township t's, ascending. Fills ids (caller
 * supplies capacity) and returns the count, or the count needed when it is
 * larger than capacity. The index is built by cov_index_new. */
struct cov_index;
struct cov_index *cov_index_new(const struct tc_map *map, const struct tc_footprints *fp);
void cov_index_free(struct cov_index **idx);
/* An index of about `cells` cells (<= 0: cov_index_new's choice, about one
 * footprint a cell): fewer, larger cells cost less memory where
 * footprints are large, and answer the same queries. */
struct cov_index *cov_index_new_sized(const struct tc_map *map, const struct tc_footprints *fp,
                                      long cells);
/* The bytes cov_index_new(map, fp) allocates, counted without building it
 * (for the run's memory estimate). */
double cov_index_bytes(const struct tc_map *map, const struct tc_footprints *fp);
long cov_index_query(const struct cov_index *idx, const struct tc_footprints *fp, double xmin,
                     double ymin, double xmax, double ymax, long *ids, long capacity);

/* The covered part of township t, clipped to it, as a new (Multi)Polygon
 * (empty when nothing covers it), built with GEOS in context ctx. For the
 * exporters; thread-safe with one ctx per thread. NULL on GEOS failure. */
GEOSGeometry *cov_township_geometry(GEOSContextHandle_t ctx, const struct tc_map *map,
                                    const struct tc_footprints *fp, const struct cov_index *idx,
                                    int t);

#endif
