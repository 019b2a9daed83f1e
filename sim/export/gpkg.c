/* gpkg.c — towncov.gpkg: every vector layer of the run in one GeoPackage
 * (GDAL's GPKG driver), each with a spatial index and its QGIS style stored
 * in layer_styles as the default (QGIS's own table: the layer opens styled
 * with no .qml beside it), and the run's summary in towncov_run.
 *
 * Each layer is written from what the shapefile step just wrote, so the two
 * formats cannot drift: the attributes from the same rows (texts whole: the
 * GeoPackage has no dBase limit), the geometries read back from the .shp
 * through OGR, and the style as the .qml's text. On the calling thread only
 * (a GDAL dataset is used by one thread at a time). */
#include "export_int.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/buildinfo.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/sites.h"
#include "towncov/run_outcome.h"

/* GeoPackage stamps every table with the time it changed: a fixed stamp
 * keeps two runs of one scenario byte-comparable table for table. */
#define GPKG_FIXED_DATE "2000-01-01T00:00:00.000Z"

static int gdal_fail(struct tc_error *err, const char *path, const char *what)
{
    const char *why = CPLGetLastErrorMsg();
    return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot %s%s%s", path, what, why[0] ? ": " : "",
                   why);
}

static OGRFieldType field_type(enum ftype t)
{
    return t == FT_STR ? OFTString : t == FT_INT ? OFTInteger : OFTReal;
}

static int add_fields(OGRLayerH l, const struct plan *p)
{
    for (int k = 0; k < p->nf; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(p->f[k].name, field_type(p->f[k].type));
        OGRErr e = OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return -1;
    }
    return 0;
}

static void set_values(OGRFeatureH f, const struct plan *p, const struct value *v)
{
    for (int k = 0; k < p->nf; k++) {
        if (v[k].null)
            OGR_F_SetFieldNull(f, k);
        else if (p->f[k].type == FT_STR)
            OGR_F_SetFieldString(f, k, v[k].s);
        else if (p->f[k].type == FT_INT)
            OGR_F_SetFieldInteger(f, k, (int)v[k].d);
        else
            OGR_F_SetFieldDouble(f, k, v[k].d);
    }
}

struct copy { const struct plan *p; OGRLayerH l; };

static int copy_record(void *ctx, long i, const struct value *v, OGRGeometryH g,
                       struct tc_error *err)
{
    const struct copy *c = ctx;
    if (tc_interrupted()) { /* the staging folder, this file with it, is removed */
        OGR_G_DestroyGeometry(g);
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while writing towncov.gpkg");
    }
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(c->l));
    set_values(f, c->p, v);
    if (g)
        OGR_F_SetGeometryDirectly(f, g);
    int rc = OGR_L_CreateFeature(c->l, f) == OGRERR_NONE ? 0 : -1;
    OGR_F_Destroy(f);
    if (rc != 0)
        tc_fail(err, TC_EXIT_OUTPUT, "layer %s, record %ld: %s", c->p->spec->name, i + 1,
                CPLGetLastErrorMsg());
    return rc;
}

static int write_layer(const struct exporter *ex, GDALDatasetH ds, OGRSpatialReferenceH srs,
                       const struct plan *p, const char *gpkg, struct tc_error *err)
{
    char **opts = CSLSetNameValue(NULL, "SPATIAL_INDEX", "YES");
    opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
    opts = CSLSetNameValue(opts, "FID", "fid");
    opts = CSLSetNameValue(opts, "IDENTIFIER", p->spec->name);
    int point = p->spec->shp_type == SHPT_POINT;
    OGRLayerH l = GDALDatasetCreateLayer(ds, p->spec->name, srs,
                                         point ? wkbPoint : wkbMultiPolygon, opts);
    CSLDestroy(opts);
    if (!l || add_fields(l, p) != 0) {
        char what[128];
        snprintf(what, sizeof what, "create layer %s", p->spec->name);
        return gdal_fail(err, gpkg, what);
    }
    struct copy c = {p, l};
    return export_each_record(ex, p, copy_record, &c, err);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len >= 0 && (text = malloc((size_t)len + 1))) {
        rewind(f);
        text[fread(text, 1, (size_t)len, f)] = '\0';
    }
    fclose(f);
    return text;
}

static OGRLayerH table(GDALDatasetH ds, const char *name, const char *const *fields,
                       const OGRFieldType *types, int n)
{
    OGRLayerH l = GDALDatasetCreateLayer(ds, name, NULL, wkbNone, NULL);
    for (int k = 0; l && k < n; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[k], types[k]);
        if (strcmp(fields[k], "useAsDefault") == 0)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (OGR_L_CreateField(l, fd, TRUE) != OGRERR_NONE)
            l = NULL;
        OGR_Fld_Destroy(fd);
    }
    return l;
}

/* QGIS's layer_styles table (the columns QGIS creates), one default style
 * per layer: the text of dir/<name>.qml. */
static int write_styles(const char *dir, GDALDatasetH ds, const char *const *names, int n,
                        const char *gpkg, struct tc_error *err)
{
    static const char *const fields[] = {
        "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"};
    static const OGRFieldType types[] = {OFTString, OFTString, OFTString, OFTString, OFTString,
                                         OFTString, OFTString, OFTInteger, OFTString, OFTString,
                                         OFTString, OFTDateTime};
    OGRLayerH l = table(ds, "layer_styles", fields, types, 12);
    int rc = l ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        char qml_path[TC_PATH_MAX];
        snprintf(qml_path, sizeof qml_path, "%s/%s.qml", dir, names[i]);
        char *qml = read_all(qml_path);
        if (!qml)
            return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot read it back", qml_path);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGR_F_SetFieldString(f, 0, "");
        OGR_F_SetFieldString(f, 1, "");
        OGR_F_SetFieldString(f, 2, names[i]);
        OGR_F_SetFieldString(f, 3, "geom");
        OGR_F_SetFieldString(f, 4, names[i]);
        OGR_F_SetFieldString(f, 5, qml);
        OGR_F_SetFieldInteger(f, 7, 1);
        OGR_F_SetFieldString(f, 8, "towncov's style (the .qml written beside the shapefile)");
        OGR_F_SetFieldDateTimeEx(f, 11, 2000, 1, 1, 0, 0, 0.0f, 100);
        rc = OGR_L_CreateFeature(l, f) == OGRERR_NONE ? 0 : -1;
        OGR_F_Destroy(f);
        free(qml);
    }
    return rc == 0 ? 0 : gdal_fail(err, gpkg, "write layer_styles");
}

void export_run_row_of(const struct run_outcome *r, struct export_run_row *row)
{
    *row = (struct export_run_row){
        .scenario = r->info.name ? r->info.name : "",
        .scenario_file = r->info.scenario_path ? r->info.scenario_path : "",
        .seed = r->info.seed,
        .verdict = r->verdict && r->verdict->met ? "met" : "not met",
        .checksum = r->checksum,
        .townships = r->map->n,
        .sites = r->sites ? (long)r->sites->n : 0};
}

void export_build_name(char *buf, size_t size)
{
    const struct tc_build *b = tc_build_info();
    snprintf(buf, size, "towncov %s (%s)", b->version, b->git_rev);
}

/* towncov_run: one row saying which run wrote the file. */
static int write_run(const struct export_run_row *r, GDALDatasetH ds, const char *gpkg,
                     struct tc_error *err)
{
    static const char *const fields[] = {"scenario", "scenario_file", "seed", "build",
                                         "verdict", "checksum", "townships", "sites"};
    static const OGRFieldType types[] = {OFTString, OFTString, OFTInteger64, OFTString,
                                         OFTString, OFTString, OFTInteger, OFTInteger64};
    OGRLayerH l = table(ds, "towncov_run", fields, types, 8);
    OGRFeatureH f = l ? OGR_F_Create(OGR_L_GetLayerDefn(l)) : NULL;
    int rc = f ? 0 : -1;
    if (f) {
        char build[512], sum[32];
        export_build_name(build, sizeof build);
        snprintf(sum, sizeof sum, "%016llx", r->checksum);
        OGR_F_SetFieldString(f, 0, r->scenario);
        OGR_F_SetFieldString(f, 1, r->scenario_file);
        OGR_F_SetFieldInteger64(f, 2, r->seed);
        OGR_F_SetFieldString(f, 3, build);
        OGR_F_SetFieldString(f, 4, r->verdict);
        OGR_F_SetFieldString(f, 5, sum);
        OGR_F_SetFieldInteger(f, 6, r->townships);
        OGR_F_SetFieldInteger64(f, 7, r->sites);
        rc = OGR_L_CreateFeature(l, f) == OGRERR_NONE ? 0 : -1;
        OGR_F_Destroy(f);
    }
    return rc == 0 ? 0 : gdal_fail(err, gpkg, "write towncov_run");
}

/* SQLite settings for a file written once, whole, into the output's
 * staging folder (a failed run removes it, an interrupted one never
 * renames it into place): no rollback journal and no fsync per commit
 * (nothing to recover: the folder's rename is the commit), and a cache
 * that holds the R-trees being built (GDAL's value in MB). */
static const char *const gpkg_config[][2] = {
    {"OGR_CURRENT_DATE", GPKG_FIXED_DATE},
    {"OGR_SQLITE_JOURNAL", "OFF"},
    {"OGR_SQLITE_SYNCHRONOUS", "OFF"},
    {"OGR_SQLITE_CACHE", "8"},
};
#define GPKG_NCONFIG (int)(sizeof gpkg_config / sizeof gpkg_config[0])

/* dir/towncov.gpkg, created (errors quiet, gpkg_config set: gpkg_end
 * undoes both), with one transaction begun when tx (not for
 * GDALDatasetCopyLayer, which makes its own); NULL with err set. */
static GDALDatasetH gpkg_begin(const char *dir, int tx, char *path, size_t size,
                               struct tc_error *err)
{
    snprintf(path, size, "%s/towncov.gpkg", dir);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister(); /* the test binary (towncov registers on loading GDAL, lazyload.h) */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (int k = 0; k < GPKG_NCONFIG; k++)
        CPLSetThreadLocalConfigOption(gpkg_config[k][0], gpkg_config[k][1]);
    CPLErrorReset();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!drv)
        tc_fail(err, TC_EXIT_INTERNAL, "GDAL has no GPKG driver");
    else if (!ds)
        gdal_fail(err, path, "create it");
    else if (tx && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
        gdal_fail(err, path, "begin writing it");
        GDALClose(ds);
        ds = NULL;
    }
    return ds;
}

static int gpkg_end(GDALDatasetH ds, int tx, const char *path, int rc, struct tc_error *err)
{
    if (ds) {
        CPLErrorReset();
        if (tx && rc == 0 && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            rc = gdal_fail(err, path, "commit it");
        GDALClose(ds); /* void in GDAL 3.6: a failed flush shows as the last error;
                          the spatial indexes are built here, in bulk */
        if (rc == 0 && CPLGetLastErrorType() >= CE_Failure)
            rc = gdal_fail(err, path, "finish it");
    }
    for (int k = 0; k < GPKG_NCONFIG; k++)
        CPLSetThreadLocalConfigOption(gpkg_config[k][0], NULL);
    CPLPopErrorHandler();
    return rc;
}

int export_write_gpkg(const struct exporter *ex, const struct plan *p, int n,
                      struct tc_error *err)
{
    char path[TC_PATH_MAX];
    const char *names[EXPORT_NLAYERS];
    GDALDatasetH ds = gpkg_begin(ex->dir, 1, path, sizeof path, err);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    int rc = ds ? 0 : -1;
    if (rc == 0 && OSRSetFromUserInput(srs, ex->prj_wkt) != OGRERR_NONE)
        rc = tc_fail(err, TC_EXIT_INTERNAL, "%s: GDAL cannot read the map's CRS", path);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = write_layer(ex, ds, srs, &p[i], path, err);
        names[i] = p[i].spec->name;
    }
    if (rc == 0)
        rc = write_styles(ex->dir, ds, names, n, path, err);
    struct export_run_row row;
    export_run_row_of(ex->run, &row);
    if (rc == 0)
        rc = write_run(&row, ds, path, err);
    OSRDestroySpatialReference(srs);
    return gpkg_end(ds, 1, path, rc, err);
}

/* whole's values written over the copied layer l's (its features in the
 * shapefile's order). */
static int put_whole(OGRLayerH l, const struct export_whole_texts *whole)
{
    int field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), whole->field);
    GIntBig *fids = malloc(sizeof *fids * ((size_t)whole->n + 1));
    long n = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while (fids && n < whole->n && (f = OGR_L_GetNextFeature(l))) {
        fids[n++] = OGR_F_GetFID(f);
        OGR_F_Destroy(f);
    }
    int rc = field >= 0 && fids && n == whole->n ? 0 : -1;
    for (long i = 0; rc == 0 && i < n; i++) {
        if (!whole->value[i] || !(f = OGR_L_GetFeature(l, fids[i])))
            continue;
        OGR_F_SetFieldString(f, field, whole->value[i]);
        rc = OGR_L_SetFeature(l, f) == OGRERR_NONE ? 0 : -1;
        OGR_F_Destroy(f);
    }
    free(fids);
    return rc;
}

int export_gpkg_from_shapefiles(const char *dir, const char *const *names, int n,
                                const struct export_whole_texts *whole,
                                const struct export_run_row *run, struct tc_error *err)
{
    char path[TC_PATH_MAX];
    GDALDatasetH ds = gpkg_begin(dir, 0, path, sizeof path, err);
    int rc = ds ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        char shp[TC_PATH_MAX];
        snprintf(shp, sizeof shp, "%s/%s.shp", dir, names[i]);
        GDALDatasetH in = GDALOpenEx(shp, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        OGRLayerH l = in ? GDALDatasetGetLayer(in, 0) : NULL;
        char **opts = CSLSetNameValue(NULL, "SPATIAL_INDEX", "YES");
        opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
        opts = CSLSetNameValue(opts, "FID", "fid");
        opts = CSLSetNameValue(opts, "IDENTIFIER", names[i]);
        OGRLayerH copy = NULL;
        if (!l)
            rc = gdal_fail(err, shp, "read it back");
        else if (!(copy = GDALDatasetCopyLayer(ds, l, names[i], opts)))
            rc = gdal_fail(err, path, "copy a layer into it");
        else if (whole && strcmp(whole->layer, names[i]) == 0 && put_whole(copy, whole) != 0)
            rc = gdal_fail(err, path, "write whole texts into it");
        CSLDestroy(opts);
        if (in)
            GDALClose(in);
    }
    if (rc == 0)
        rc = write_styles(dir, ds, names, n, path, err);
    if (rc == 0)
        rc = write_run(run, ds, path, err);
    return gpkg_end(ds, 0, path, rc, err);
}
