/* export.h — stage 8: what a run produced, as layers a GIS opens directly.
 * Shapefiles (townships, coverage, seats, sites, footprints when asked) in
 * the input map's CRS with UTF-8 attributes, a QGIS style (.qml) beside
 * each, and a QGIS project (towncov.qgs) that opens them all, styled.
 * The picture (map.png) is picture.h's. */
#ifndef TOWNCOV_EXPORT_H
#define TOWNCOV_EXPORT_H

#include <stddef.h>

#include "towncov/common.h"

struct run_outcome;

/* Shapefile limits every layer is checked against before anything is
 * written: 2 GB per .shp and .dbf (32-bit offsets in readers), 254 bytes per
 * string attribute. */
#define EXPORT_FILE_MAX 2147483647.0
#define EXPORT_STRING_MAX 254

/* Writes every layer, its .prj/.cpg/.qml and towncov.qgs into `dir` (an
 * existing folder: the run's temporary output folder). The covered part of
 * each township is rebuilt with GEOS on `threads` OpenMP threads; files are
 * written from the calling thread. run is borrowed for the call. Returns 0,
 * or -1 with err set (TC_EXIT_RESOURCE naming the layer when a shapefile
 * would exceed a limit, TC_EXIT_OUTPUT when a file cannot be written,
 * TC_EXIT_INTERNAL when GEOS or PROJ fail, TC_EXIT_INTERRUPTED). Files
 * already written stay in `dir`: the caller's output transaction discards
 * them. */
int export_layers(const char *dir, const struct run_outcome *run, int threads,
                  struct tc_error *err);

/* The row of table towncov_run (GeoPackage and PostGIS): which run wrote
 * the file or the tables. */
struct export_run_row {
    const char *scenario;        /* [scenario] name */
    const char *scenario_file;
    long seed;
    const char *verdict;         /* "met" or "not met" */
    unsigned long long checksum; /* report_checksum, written as 16 hex digits */
    int townships;
    long sites;
};

/* The whole values of one text field of a layer made from a shapefile,
 * whose .dbf holds them cut at EXPORT_STRING_MAX bytes (the plan's
 * fixes): value[i] for feature i (NULL: as in the .dbf). The GeoPackage
 * and PostGIS, which have no such limit, hold these. */
struct export_whole_texts {
    const char *layer, *field;
    long n;
    char *const *value;
};

/* dir/towncov.gpkg from the n point or polygon shapefiles dir/<name>.shp,
 * each a layer named like it with a spatial index and dir/<name>.qml as
 * its default style in layer_styles (as the run's GeoPackage; the plan's
 * added_sites), whole's texts in place of the .dbf's (NULL: none), and
 * towncov_run holding *run. Returns 0, or -1 with err set (TC_EXIT_OUTPUT). */
int export_gpkg_from_shapefiles(const char *dir, const char *const *names, int n,
                                const struct export_whole_texts *whole,
                                const struct export_run_row *run, struct tc_error *err);

/* A PostGIS write ([output] postgis) whose transaction is still open:
 * export_layers leaves it so when the run_outcome's postgis_open is set,
 * for the caller to commit after its last file (the run: just before its
 * output folder is renamed into place; the plan: after plan.json), so that
 * a failure before then leaves the earlier tables as they were. */
struct export_postgis;

/* Commits *pending (nothing when NULL; refused when interrupted) and frees
 * it, *pending = NULL. Returns 0, or -1 with err set (rolled back). */
int export_postgis_commit(struct export_postgis **pending, struct tc_error *err);

/* The same as an outdir_last_fn (towncov/outdir.h): pending is a
 * struct export_postgis **, so that the commit comes last in
 * outdir_commit_last, after the output folder is in place. */
int export_postgis_commit_last(void *pending, struct tc_error *err);

/* Rolls *pending back and frees it; nothing when NULL. */
void export_postgis_abort(struct export_postgis **pending);

/* Removes dir/<name>.shp, .shx, .dbf, .prj, .cpg and .qml (format = gpkg:
 * what the GeoPackage was made from). Returns 0, or -1 with err set. */
int export_remove_shapefile(const char *dir, const char *name, struct tc_error *err);

/* Checks a layer's estimated file sizes (bytes) against EXPORT_FILE_MAX.
 * Returns 0, or -1 with err (TC_EXIT_RESOURCE) naming `layer`. */
int export_check_size(const char *layer, double shp_bytes, double dbf_bytes,
                      struct tc_error *err);

#endif
