/* records.c — a layer's records as the GeoPackage and PostGIS writers take
 * them: the attribute row (layers.c, texts whole) and the geometry read
 * back through OGR from the shapefile just written, so that every format
 * holds the same shapes (rings nested and oriented once, by shpio). */
#include "export_int.h"

#include <gdal.h>
#include <stdlib.h>
#include <string.h>

/* Only the geometries are read back: the rows come from layers.c, and
 * parsing the .dbf again was a third of the sites layer's time. */
static void skip_fields(OGRLayerH in)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(in);
    int n = OGR_FD_GetFieldCount(d);
    const char **names = malloc(sizeof *names * ((size_t)n + 1));
    if (!names)
        return; /* reading them too is only slower */
    for (int k = 0; k < n; k++)
        names[k] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, k));
    names[n] = NULL;
    (void)OGR_L_SetIgnoredFields(in, names);
    free(names);
}

int export_each_record(const struct exporter *ex, const struct plan *p, export_record_fn fn,
                       void *ctx, struct tc_error *err)
{
    char path[TC_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.shp", ex->dir, p->spec->name);
    GDALDatasetH shp = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH in = shp ? GDALDatasetGetLayer(shp, 0) : NULL;
    if (!in) {
        if (shp)
            GDALClose(shp);
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot read it back: %s", path,
                       CPLGetLastErrorMsg());
    }
    skip_fields(in);
    OGR_L_ResetReading(in);
    int rc = 0;
    for (long i = 0; rc == 0 && i < p->n; i++) {
        struct value v[MAX_FIELDS];
        memset(v, 0, sizeof v);
        p->spec->row(ex, i, v);
        OGRFeatureH f = OGR_L_GetNextFeature(in);
        if (!f) {
            rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: record %ld is missing", path, i + 1);
            break;
        }
        OGRGeometryH g = OGR_F_StealGeometry(f);
        if (g && p->spec->shp_type != SHPT_POINT)
            g = OGR_G_ForceToMultiPolygon(g);
        rc = fn(ctx, i, v, g, err);
        OGR_F_Destroy(f);
    }
    GDALClose(shp);
    return rc;
}
