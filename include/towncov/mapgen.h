/* mapgen.h — the map builder (`towncov mapgen`): splits county polygons
 * into their townships (seeded, relaxed Voronoi cells clipped to the
 * county), or makes a synthetic province, checks the result and writes
 * townships.shp, seats.shp, seat_areas.shp (each township's seat area as
 * seat.h models it by default, for a run's [map] seat_areas) and
 * counties.shp. A set-up tool, not a pipeline stage: the map loader reads
 * what it writes. */
#ifndef TOWNCOV_MAPGEN_H
#define TOWNCOV_MAPGEN_H

#include <stdint.h>

#include "towncov/common.h"

/* Default border simplification (degrees): the source's own resolution
 * (1/1024 deg grid, about 100 m), so nothing real is lost; it shrinks the
 * map threefold. */
#define MAPGEN_SIMPLIFY_DEG 0.001
#define MAPGEN_SYNTHETIC_MAX 1000000L /* townships of a synthetic province */

struct mapgen_options {
    const char *counties_shp;  /* county polygons, lon/lat; NULL when synthetic */
    const char *townships_csv; /* code,name,county_code[,kind]; NULL when synthetic */
    long synthetic;            /* > 0: a synthetic province of this many townships */
    const char *out_dir;       /* replaced at the end of a good build (outdir.h rules) */
    uint64_t seed;
    double simplify_deg;       /* simplify county borders (degrees), 0 = keep them */
    int threads;               /* OpenMP threads; 0 = OpenMP's default */
    int verbose;               /* print the build log on stdout */
};

/* What a build measured (the build log prints it). Areas are geodesic km². */
struct mapgen_report {
    int counties, townships;
    int invalid_counties;      /* county polygons that needed MakeValid */
    int collapsed_parts;       /* parts with no area (islets or holes collapsed
                                  to a point or a line), dropped as read */
    int vertices_stripped;     /* repeated, collinear and spike vertices */
    int parts_dropped;         /* polygon parts under the sliver size */
    int holes_filled;          /* holes under the sliver size */
    int lines_dropped;         /* non-polygonal pieces MakeValid left */
    double sliver_km2;         /* area of the dropped parts */
    double hole_km2;           /* area of the filled holes */
    int border_arcs;           /* county border arcs simplified (0: none) */
    int border_vertices, border_vertices_kept;
    int counties_resolved;     /* counties cut where they overlapped another */
    double overlap_resolved_km2; /* the area so cut */
    double county_overlap_km2; /* overlap between neighbouring counties left after that */
    double area_km2;           /* sum of county areas */
    double seat_area_km2;      /* sum of the modelled seat areas */
    double max_tiling_error;   /* max over counties of |sum townships - county| / county */
    double max_overlap;        /* max over counties of (sum - union) / county */
    double max_gap;            /* max over counties of area(county xor union) / county */
    double t_read, t_build, t_overlap, t_write; /* seconds */
};

/* Builds the map described by opt into opt->out_dir. Writes into a
 * temporary folder beside out_dir and renames it into place only after every
 * check passed, so a failed build never leaves half a map; an out_dir that
 * outdir_check refuses fails with TC_EXIT_OUTPUT before any input is read.
 * Returns 0, or -1 with err set (exit code TC_EXIT_USAGE, before anything
 * else is done, for options that are missing, out of range or do not go
 * together; TC_EXIT_MAP for bad input, naming the file and record or
 * line). rep may be NULL. */
int mapgen_build(const struct mapgen_options *opt, struct mapgen_report *rep,
                 struct tc_error *err);

#endif
