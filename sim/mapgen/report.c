/* report.c — what a build measured, summed over the counties, and the
 * build log `towncov mapgen` prints. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdio.h>

#include "towncov/seat.h"

void mg_report_fill(const struct province *p, struct mapgen_report *r)
{
    r->counties = p->nc;
    r->townships = p->nt;
    for (int i = 0; i < p->nc; i++) {
        const struct county *c = &p->c[i];
        r->invalid_counties += c->was_invalid;
        r->vertices_stripped += c->vertices_stripped;
        r->parts_dropped += c->parts_dropped;
        r->collapsed_parts += c->collapsed_parts;
        r->holes_filled += c->holes_filled;
        r->lines_dropped += c->lines_dropped;
        r->sliver_km2 += c->sliver_km2;
        r->hole_km2 += c->hole_km2;
        r->county_overlap_km2 += c->overlap_km2;
        r->area_km2 += c->area_km2;
        r->max_tiling_error = fmax(r->max_tiling_error, c->tiling_err);
        r->max_overlap = fmax(r->max_overlap, c->overlap);
        r->max_gap = fmax(r->max_gap, c->gap);
    }
    for (int i = 0; i < p->nt; i++)
        r->seat_area_km2 += p->t[i].seat_area_km2;
}

void mg_report_print(const struct mapgen_options *opt, const struct mapgen_report *r,
                     int nthreads)
{
    const char *src = opt->synthetic > 0 ? "synthetic province" : opt->counties_shp;
    printf("mapgen: %s: %d counties, %d townships, %.1f km2 (%.2f s)\n", src, r->counties,
           r->townships, r->area_km2, r->t_read);
    printf("mapgen: cleaning: dropped %d parts with no area (islets or holes collapsed to a "
           "point or a line); removed %d repeated, collinear or spike vertices (no area); "
           "%d counties made valid; dropped %d sliver parts (%.3f km2) and %d non-polygonal "
           "pieces; filled %d small holes (%.3f km2)\n", r->collapsed_parts,
           r->vertices_stripped, r->invalid_counties, r->parts_dropped, r->sliver_km2,
           r->lines_dropped, r->holes_filled, r->hole_km2);
    if (r->border_arcs > 0)
        printf("mapgen: simplified the county borders to %g deg, shared borders alike: %d arcs, "
               "%d -> %d vertices\n", opt->simplify_deg, r->border_arcs, r->border_vertices,
               r->border_vertices_kept);
    printf("mapgen: split and checked with %d thread%s (%.2f s): every township valid, every "
           "seat inside; tiling: max area error %.2e, max overlap %.2e, max gap %.2e "
           "(relative to the county)\n", nthreads, nthreads == 1 ? "" : "s", r->t_build,
           r->max_tiling_error, r->max_overlap, r->max_gap);
    printf("mapgen: counties that overlapped: %d, cut by %.3f km2 in all (each overlap left to "
           "the county whose code sorts first); overlap left: %.3f km2 (%.2f s)\n",
           r->counties_resolved, r->overlap_resolved_km2, r->county_overlap_km2, r->t_overlap);
    printf("mapgen: seat areas modelled as a run's defaults ([goal] seat_radius_*_m: "
           "subdistrict %g, town %g, township %g, special %g m): %.1f km2 in total\n",
           seat_default_radius_m(KIND_SUBDISTRICT), seat_default_radius_m(KIND_TOWN),
           seat_default_radius_m(KIND_TOWNSHIP), seat_default_radius_m(KIND_SPECIAL),
           r->seat_area_km2);
    printf("mapgen: wrote %s (townships, seats, seat areas, counties; seed %llu) (%.2f s)\n",
           opt->out_dir, (unsigned long long)opt->seed, r->t_write);
}
