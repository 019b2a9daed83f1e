/* export.c — QGIS-ready layers (see export.h): the driver. Geometry,
 * plan, write; the steps are described in export_int.h. */
#include "export_int.h"

#include <stdio.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/shpio.h"

static int plan_all(const struct exporter *ex, struct plan *plans, int *n, struct tc_error *err)
{
    *n = 0;
    for (int i = 0; i < EXPORT_NLAYERS; i++) {
        const struct layer_spec *spec = &export_layer_specs[i];
        if (spec->footprints && !ex->run->output->footprints)
            continue;
        export_plan_layer(ex, spec, &plans[*n]);
        if (export_check_size(spec->name, plans[*n].shp_bytes, plans[*n].dbf_bytes, err))
            return -1;
        if (plans[*n].cut)
            fprintf(stderr, "towncov: warning: %s.dbf: %ld text value%s longer than the dBase "
                    "limit of %d bytes cut at a character boundary (townships.csv and "
                    "summary.json keep them whole)\n", spec->name, plans[*n].cut,
                    plans[*n].cut == 1 ? "" : "s", EXPORT_STRING_MAX);
        (*n)++;
    }
    return 0;
}

int export_remove_shapefile(const char *dir, const char *name, struct tc_error *err)
{
    static const char *const ext[] = {"shp", "shx", "dbf", "prj", "cpg", "qml"};
    for (int k = 0; k < 6; k++) {
        char path[TC_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[k]);
        if (remove(path) != 0)
            return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot remove it", path);
    }
    return 0;
}

/* format = gpkg: the shapefiles and .qml the GeoPackage was made from go. */
static int remove_shapefiles(const char *dir, const struct plan *plans, int n,
                             struct tc_error *err)
{
    for (int i = 0; i < n; i++)
        if (export_remove_shapefile(dir, plans[i].spec->name, err) != 0)
            return -1;
    return 0;
}

int export_layers(const char *dir, const struct run_outcome *run, int threads,
                  struct tc_error *err)
{
    /* The writers below build "dir/<layer>.<ext>" in TC_PATH_MAX buffers:
     * a longer dir would be cut, and written somewhere else. */
    if (strlen(dir) + 32 >= TC_PATH_MAX)
        return tc_fail(err, TC_EXIT_OUTPUT, "%.200s...: output path too long", dir);
    struct exporter ex = {.run = run, .dir = dir};
    ex.prj_wkt = run->map->source_wkt ? run->map->source_wkt : shpio_wgs84_wkt;
    export_kind_azimuths(&ex);
    struct plan plans[EXPORT_NLAYERS];
    int n = 0;
    int rc = export_geometry_build(&ex, threads, err);
    if (rc == 0)
        rc = plan_all(&ex, plans, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = export_write_layer(&ex, &plans[i], err);
        if (rc == 0)
            rc = export_write_qml(&ex, plans[i].spec, err);
    }
    ex.gpkg = run->output->format != OUTPUT_SHAPEFILE;
    if (rc == 0 && ex.gpkg)
        rc = export_write_gpkg(&ex, plans, n, err);
    if (rc == 0)
        rc = export_write_project(&ex, plans, n, err);
    if (rc == 0 && run->output->postgis[0])
        rc = export_write_postgis(&ex, plans, n, err);
    if (rc == 0 && run->output->format == OUTPUT_GPKG)
        rc = remove_shapefiles(dir, plans, n, err);
    export_geometry_free(&ex);
    return rc;
}
