/* gpkg_rtree.c — towncov.gpkg's spatial indexes (the GeoPackage
 * gpkg_rtree_index extension), built beside the features instead of after
 * them.
 *
 * GDAL 3.6 builds a layer's R-tree when the file is closed, one SQLite
 * R*Tree insert per feature on the writing thread: for the 65,000
 * stations that is most of what the GeoPackage costs (0.5-0.8 CPU-s,
 * bench/rtree_points.c), and SQLite has no bulk load. So, per layer:
 *   1. GDAL makes the index while the table is still empty (its SQL
 *      function CreateSpatialIndex: the R-tree table, its triggers and
 *      the gpkg_extensions row, as always), and the insert trigger is set
 *      aside while the features go in (gpkg_rtree_prepare);
 *   2. meanwhile, on another thread, the same R-trees are filled in a side
 *      SQLite file from the shapefiles just written (gpkg_rtree_build):
 *      every feature with a shape, id = FID, in FID order: the rows and the
 *      order of GDAL's own INSERT ... SELECT, so the tree is the one GDAL
 *      would have built, node for node;
 *   3. the side file's R-tree tables (SQLite's shadow tables %_node,
 *      %_rowid, %_parent) replace the empty ones, and the insert trigger
 *      is put back (gpkg_rtree_install). */
#include "export_int.h"

#include <cpl_error.h>
#include <gdal.h>
#include <shapefil.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The R-tree of layer `name` (geometry column "geom", gpkg.c). */
static void rtree_of(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "rtree_%s_geom", name);
}

static int sql_fail(sqlite3 *db, const char *aux, struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot build the spatial index: %s", aux,
                   db ? sqlite3_errmsg(db) : "out of memory");
}

/* One layer's R-tree into db from dir/name.shp: each record with a shape
 * (GDAL indexes no NULL geometry), id = record + 1 (its FID in the
 * GeoPackage: one feature per record, in order), the record's bounds (the
 * bounds of its vertices, as the envelope GDAL writes in each geometry). */
static int build_one(sqlite3 *db, const char *dir, const char *name, const char *aux,
                     struct tc_error *err)
{
    char path[TC_PATH_MAX], rt[96], sql[256];
    rtree_of(name, rt, sizeof rt);
    snprintf(path, sizeof path, "%s/%s.shp", dir, name);
    SHPHandle shp = SHPOpen(path, "rb");
    if (!shp)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot read it back", path);
    int n = 0;
    SHPGetInfo(shp, &n, NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE \"%s\" USING rtree(id, minx, maxx, miny, "
             "maxy)", rt);
    int ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    snprintf(sql, sizeof sql, "INSERT INTO \"%s\" VALUES (?, ?, ?, ?, ?)", rt);
    ok = ok && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
    int rc = ok ? 0 : sql_fail(db, aux, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        SHPObject *o = SHPReadObject(shp, i);
        if (!o) {
            rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: record %d: cannot read it back", path, i + 1);
            break;
        }
        if (o->nSHPType != SHPT_NULL && o->nVertices > 0) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_double(st, 2, o->dfXMin);
            sqlite3_bind_double(st, 3, o->dfXMax);
            sqlite3_bind_double(st, 4, o->dfYMin);
            sqlite3_bind_double(st, 5, o->dfYMax);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = sql_fail(db, aux, err);
            sqlite3_reset(st);
        }
        SHPDestroyObject(o);
    }
    sqlite3_finalize(st);
    SHPClose(shp);
    return rc;
}

int gpkg_rtree_build(const char *dir, const char *const *names, int n, const char *aux,
                     struct tc_error *err)
{
    sqlite3 *db = NULL;
    /* A file written once, whole, then read and removed: no journal, no
     * fsync (the staging folder is removed with it on any failure). */
    int ok = sqlite3_open_v2(aux, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
                 SQLITE_OK &&
             sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                              "PRAGMA cache_size = -8192; BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    int rc = ok ? 0 : sql_fail(db, aux, err);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = build_one(db, dir, names[i], aux, err);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(db, aux, err);
    sqlite3_close(db);
    return rc;
}

/* GDAL's error text after a statement on ds, or "". */
static int gdal_sql(GDALDatasetH ds, const char *sql)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    return CPLGetLastErrorType() >= CE_Failure ? -1 : 0;
}

/* The one text value sql selects on ds, malloc'd; NULL when none. */
static char *gdal_sql_text(GDALDatasetH ds, const char *sql)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    OGRFeatureH f = r ? OGR_L_GetNextFeature(r) : NULL;
    char *text = f && OGR_F_IsFieldSetAndNotNull(f, 0) ? strdup(OGR_F_GetFieldAsString(f, 0))
                                                       : NULL;
    if (f)
        OGR_F_Destroy(f);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    return text;
}

int gpkg_rtree_prepare(GDALDatasetH ds, const char *name, char **trigger)
{
    char sql[256], rt[96];
    rtree_of(name, rt, sizeof rt);
    snprintf(sql, sizeof sql, "SELECT CreateSpatialIndex('%s', 'geom')", name);
    char *made = gdal_sql_text(ds, sql);
    int ok = made && strcmp(made, "1") == 0;
    free(made);
    snprintf(sql, sizeof sql, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
             "name = '%s_insert'", rt);
    *trigger = ok ? gdal_sql_text(ds, sql) : NULL;
    snprintf(sql, sizeof sql, "DROP TRIGGER \"%s_insert\"", rt);
    return *trigger && gdal_sql(ds, sql) == 0 ? 0 : -1;
}

/* aux as an SQL string literal (quotes doubled) in buf. */
static int quote_literal(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    buf[k++] = '\'';
    for (; *s && k + 3 < size; s++) {
        if (*s == '\'')
            buf[k++] = '\'';
        buf[k++] = *s;
    }
    buf[k++] = '\'';
    buf[k] = '\0';
    return *s ? -1 : 0;
}

int gpkg_rtree_install(GDALDatasetH ds, const char *aux, const char *const *names,
                       char *const *triggers, int n)
{
    static const char *const shadow[] = {"node", "rowid", "parent"};
    char lit[2 * TC_PATH_MAX + 3], sql[2 * TC_PATH_MAX + 64], rt[96];
    if (quote_literal(aux, lit, sizeof lit) != 0)
        return -1;
    snprintf(sql, sizeof sql, "ATTACH DATABASE %s AS towncov_rtree", lit);
    int rc = gdal_sql(ds, sql);
    for (int i = 0; rc == 0 && i < n; i++) {
        rtree_of(names[i], rt, sizeof rt);
        for (int k = 0; rc == 0 && k < 3; k++) {
            snprintf(sql, sizeof sql, "DELETE FROM main.\"%s_%s\"", rt, shadow[k]);
            rc = gdal_sql(ds, sql);
            snprintf(sql, sizeof sql, "INSERT INTO main.\"%s_%s\" SELECT * FROM "
                     "towncov_rtree.\"%s_%s\"", rt, shadow[k], rt, shadow[k]);
            if (rc == 0)
                rc = gdal_sql(ds, sql);
        }
    }
    if (gdal_sql(ds, "DETACH DATABASE towncov_rtree") != 0)
        rc = -1;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = gdal_sql(ds, triggers[i]);
    return rc;
}
