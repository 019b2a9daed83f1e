/* exact.h — the exact coverage engine's interface, private to the coverage
 * stage (sim/coverage/) and its tests (tests/test_coverage_exact.c).
 *
 * area(T ∩ U), U the union of the footprints, without polygon overlay: by
 * Green's theorem, integrated along the pieces of ∂T inside some footprint
 * and the pieces of each footprint's ring inside T and outside every other
 * footprint. The phases, one file each: load.c (the township and its
 * candidates in local coordinates), bucket.c (edges into a grid over the
 * township), deep.c (the footprint edges deep inside the union, pruned),
 * pairs.c (exact crossings between neighbouring pieces), walk.c (the
 * Green's-theorem walk and its point tests, sped up by sectors.c), rings.c
 * (the covered part's rings); exact.c runs them per township. */
#ifndef TOWNCOV_COVERAGE_EXACT_H
#define TOWNCOV_COVERAGE_EXACT_H

#include <geos_c.h>

#include "towncov/coverage.h"

struct township;
struct tc_footprints;

/* Per-thread scratch of the exact engine: buffers kept across townships. */
struct covx_scratch;

/* A new scratch, freed with covx_scratch_free; NULL when out of memory.
 * It reads the townships' geometries with ctx, borrowed: the thread's own
 * context (its worker's), which must outlive the scratch; scratch and
 * context are used by one thread at a time. */
struct covx_scratch *covx_scratch_new(GEOSContextHandle_t ctx);

/* Frees *s (NULL is fine); *s becomes NULL. */
void covx_scratch_free(struct covx_scratch **s);

/* covx_township's answer when memory (its own, or GEOS's while reading
 * the township) ran out: the caller reports it, asking GEOS would only
 * need more. */
#define COVX_NO_MEMORY (-2)

/* Fills r->covered_m2, r->seat_covered and r->footprints for township t
 * from the candidate footprints ids[0..n-1] (ascending; every footprint
 * whose envelope meets the township's). Returns 0, -1 when it cannot
 * decide (the caller then asks the geos engine), or COVX_NO_MEMORY.
 * Thread-safe with one scratch per thread. */
int covx_township(struct covx_scratch *s, const struct township *t,
                  const struct tc_footprints *fp, const long *ids, long n, struct cov_result *r);

/* The boundary of the covered part, kept by the exact engine when asked:
 * with keep set, each covx_township call that succeeds also chains the
 * boundary of T ∩ U into rings (no polygon overlay), readable with
 * covx_rings until the next call. */
void covx_keep_rings(struct covx_scratch *s, int keep);

/* When to prune footprint edges deep inside the union (deep.c): where
 * footprints are dense (the default), never, or always. Results are the
 * same either way, bit for bit; only the time differs. */
enum covx_prune { COVX_PRUNE_DENSE = 0, COVX_PRUNE_NEVER = 1, COVX_PRUNE_ALWAYS = 2 };
void covx_prune_deep(struct covx_scratch *s, enum covx_prune when);

/* The rings of the last covx_township call, laid out as in cov_parts for
 * one township (shell[] indexes these rings), borrowed from s. Returns -1
 * when they did not chain into valid rings with the engine's area (never
 * wrong, only sometimes not available: then use cov_township_geometry). */
struct covx_rings {
    long nring;
    const long *start, *shell;
    const double *x, *y;
};
int covx_rings(const struct covx_scratch *s, struct covx_rings *out);

#endif
