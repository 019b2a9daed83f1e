/* postgis.c — [output] postgis: the run's layers as PostGIS tables, through
 * libpq (not GDAL's PG driver: the whole replacement — dropping this
 * schema's earlier towncov tables, creating, COPYing and indexing the new
 * ones, the towncov_run row, a custom CRS's spatial_ref_sys row — must be
 * ONE transaction that a failure or Ctrl-C rolls back, and only libpq lets
 * the writer say where each statement goes).
 *
 * Tables are named like the layers, in [output] postgis_schema, with a
 * primary key (fid), a GiST index on geom, the map CRS's SRID, and a row in
 * <schema>.towncov_tables: a later run drops only tables listed there (a
 * table of the same name that towncov did not make is an error, never
 * replaced). The password is never printed (ogrread_mask). A caller may
 * add one point shapefile (run_outcome's extra_layer: the plan's
 * added_sites) to the same transaction, under the same rules. */
#include "export_int.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <libpq-fe.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "towncov/buildinfo.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/ogrread.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/sites.h"

#define REGISTRY "towncov_tables"
/* PostGIS accepts SRIDs up to 998999; towncov numbers custom CRSs from here. */
#define CUSTOM_SRID_FIRST 990001

struct export_postgis {
    PGconn *conn;
    char target[TC_STR_MAX + 64]; /* the connection string, password masked */
    char schema[TC_STR_MAX * 2];  /* quoted identifier */
    char *conninfo;               /* after "PG:"; owned */
    int srid;
    unsigned char *wkb;
    size_t wkb_cap;
    char *line;
    size_t line_cap, line_len;
};

static int pg_fail(struct export_postgis *pg, struct tc_error *err, const char *what)
{
    char msg[1024];
    ogrread_mask_in(pg->conninfo, pg->conn ? PQerrorMessage(pg->conn) : "out of memory", msg,
                    sizeof msg);
    msg[strcspn(msg, "\n")] = '\0';
    return tc_fail(err, TC_EXIT_OUTPUT, "output.postgis = %s: %s: %s", pg->target, what, msg);
}

/* One statement; its result checked. */
static int exec(struct export_postgis *pg, const char *sql, struct tc_error *err)
{
    PGresult *r = PQexec(pg->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 0;
    char what[160];
    snprintf(what, sizeof what, "%.140s", sql);
    return pg_fail(pg, err, what);
}

/* The one value of a query with one text parameter; "" when no row. */
static int query1(struct export_postgis *pg, const char *sql, const char *param, char *out, size_t size,
                  struct tc_error *err)
{
    PGresult *r = PQexecParams(pg->conn, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    snprintf(out, size, "%s", ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return ok ? 0 : pg_fail(pg, err, sql);
}

static void quote_ident(PGconn *c, const char *name, char *out, size_t size)
{
    char *q = PQescapeIdentifier(c, name, strlen(name));
    snprintf(out, size, "%s", q ? q : "\"\"");
    PQfreemem(q);
}

/* ---- the CRS: an EPSG code PostGIS knows, else a custom spatial_ref_sys row */
/* The EPSG code of srs when PROJ is almost sure of it (confidence >= 90, as
 * GDAL takes it: a .prj's ESRI WKT names no code of its own). */
static void epsg_code(OGRSpatialReferenceH srs, char *out, size_t size)
{
    int n = 0, *confidence = NULL;
    OGRSpatialReferenceH *m = OSRFindMatches(srs, NULL, &n, &confidence);
    const char *auth = n > 0 && confidence[0] >= 90 ? OSRGetAuthorityName(m[0], NULL) : NULL;
    if (auth && strcmp(auth, "EPSG") == 0 && OSRGetAuthorityCode(m[0], NULL))
        snprintf(out, size, "%s", OSRGetAuthorityCode(m[0], NULL));
    OSRFreeSRSArray(m);
    CPLFree(confidence);
}

static int find_srid(struct export_postgis *pg, const char *wkt, struct tc_error *err)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *proj4 = NULL, *srtext = NULL, got[64] = "";
    int rc = OSRSetFromUserInput(srs, wkt) == OGRERR_NONE ? 0 : -1;
    char code[32] = "";
    epsg_code(srs, code, sizeof code);
    if (rc == 0 && code[0])
        rc = query1(pg, "SELECT srid FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND "
                    "auth_srid = $1::int", code, got, sizeof got, err);
    if (rc == 0 && !got[0] && OSRExportToProj4(srs, &proj4) == OGRERR_NONE &&
        OSRExportToWkt(srs, &srtext) == OGRERR_NONE) {
        rc = query1(pg, "SELECT srid FROM spatial_ref_sys WHERE proj4text = $1 ORDER BY srid", proj4, got,
                    sizeof got, err);
        if (rc == 0 && !got[0]) { /* inside the run's transaction, like the tables */
            const char *v[2] = {proj4, srtext};
            PGresult *r = PQexecParams(pg->conn,
                "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text, srtext) "
                "SELECT s, 'towncov', s, $1, $2 FROM (SELECT COALESCE(max(srid), "
                "990000) + 1 AS s FROM spatial_ref_sys WHERE srid BETWEEN 990001 AND 998999) n "
                "RETURNING srid", 2, NULL, v, NULL, NULL, 0);
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
                snprintf(got, sizeof got, "%s", PQgetvalue(r, 0, 0));
            else
                rc = pg_fail(pg, err, "add the map's CRS to spatial_ref_sys");
            PQclear(r);
        }
    }
    CPLFree(proj4);
    CPLFree(srtext);
    OSRDestroySpatialReference(srs);
    if (rc == 0 && !got[0])
        rc = tc_fail(err, TC_EXIT_OUTPUT, "output.postgis = %s: no SRID for the map's CRS",
                     pg->target);
    pg->srid = rc == 0 ? atoi(got) : 0;
    return rc;
}

/* ---- replacing this schema's own tables ----------------------------------*/
static int table_exists(struct export_postgis *pg, const char *schema, const char *name, int *yes,
                        struct tc_error *err)
{
    const char *v[2] = {schema, name};
    PGresult *r = PQexecParams(pg->conn, "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND "
                               "tablename = $2", 2, NULL, v, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    *yes = ok && PQntuples(r) > 0;
    PQclear(r);
    return ok ? 0 : pg_fail(pg, err, "look up a table");
}

/* Refuses a table of the run's that exists and is not towncov's; then
 * drops every table the registry lists. */
static int clear_own_tables(struct export_postgis *pg, const char *schema, const char *const *names, int n,
                            struct tc_error *err)
{
    char sql[8 * TC_STR_MAX];
    snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s." REGISTRY " (table_name text "
             "PRIMARY KEY, written timestamptz NOT NULL DEFAULT now())", pg->schema);
    if (exec(pg, sql, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int yes = 0;
        char mine[8];
        if (table_exists(pg, schema, names[i], &yes, err) != 0)
            return -1;
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s." REGISTRY " WHERE table_name = $1",
                 pg->schema);
        if (!yes)
            continue;
        if (query1(pg, sql, names[i], mine, sizeof mine, err) != 0)
            return -1;
        if (!mine[0])
            return tc_fail(err, TC_EXIT_OUTPUT, "output.postgis = %s: table %s.%s exists and "
                           "was not written by towncov: not replaced (drop it, or choose "
                           "another output.postgis_schema)", pg->target, schema, names[i]);
    }
    snprintf(sql, sizeof sql, "SELECT table_name FROM %s." REGISTRY " ORDER BY 1", pg->schema);
    PGresult *r = PQexec(pg->conn, sql);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : pg_fail(pg, err, "read the registry");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        char t[2 * TC_STR_MAX];
        quote_ident(pg->conn, PQgetvalue(r, i, 0), t, sizeof t);
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.%s", pg->schema, t);
        rc = exec(pg, sql, err);
    }
    PQclear(r);
    snprintf(sql, sizeof sql, "DELETE FROM %s." REGISTRY, pg->schema);
    return rc == 0 ? exec(pg, sql, err) : -1;
}

static int register_table(struct export_postgis *pg, const char *name, struct tc_error *err)
{
    char sql[8 * TC_STR_MAX], t[2 * TC_STR_MAX];
    quote_ident(pg->conn, name, t, sizeof t);
    snprintf(sql, sizeof sql, "COMMENT ON TABLE %s.%s IS 'written by towncov; replaced by its "
             "next run (listed in " REGISTRY ")'", pg->schema, t);
    if (exec(pg, sql, err) != 0)
        return -1;
    snprintf(sql, sizeof sql, "INSERT INTO %s." REGISTRY " (table_name) VALUES ($1)",
             pg->schema);
    const char *v = name;
    PGresult *r = PQexecParams(pg->conn, sql, 1, NULL, &v, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? 0 : pg_fail(pg, err, "register a table");
}

/* ---- one layer: CREATE, COPY, index ---------------------------------------*/
static const char *sql_type(enum ftype t)
{
    return t == FT_STR ? "text" : t == FT_INT ? "integer" : "double precision";
}

static int line_put(struct export_postgis *pg, const char *s, size_t n)
{
    if (tc_reserve((void **)&pg->line, &pg->line_cap, pg->line_len + n + 1, 1) != 0)
        return -1;
    memcpy(pg->line + pg->line_len, s, n);
    pg->line_len += n;
    return 0;
}

/* A text value in COPY's text format: backslash, tab and line ends escaped. */
static int line_text(struct export_postgis *pg, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
                      : *s == '\r' ? "\\r" : NULL;
        rc = e ? line_put(pg, e, 2) : line_put(pg, s, 1);
    }
    return rc;
}

/* g as hex EWKB: the WKB with the SRID flag and the SRID after its type. */
static int line_geometry(struct export_postgis *pg, OGRGeometryH g)
{
    if (!g)
        return line_put(pg, "\\N", 2);
    size_t n = (size_t)OGR_G_WkbSize(g);
    if (tc_reserve((void **)&pg->wkb, &pg->wkb_cap, n + 4, 1) != 0)
        return -1;
    OGR_G_ExportToWkb(g, wkbNDR, pg->wkb);
    unsigned char head[9];
    unsigned type = (unsigned)pg->wkb[1] | (unsigned)pg->wkb[2] << 8 |
                    (unsigned)pg->wkb[3] << 16 | (unsigned)pg->wkb[4] << 24;
    type |= 0x20000000u; /* EWKB: an SRID follows */
    head[0] = 1;
    for (int k = 0; k < 4; k++) {
        head[1 + k] = (unsigned char)(type >> (8 * k));
        head[5 + k] = (unsigned char)((unsigned)pg->srid >> (8 * k));
    }
    static const char hex[] = "0123456789ABCDEF";
    char buf[2];
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < 9 + n - 5; k++) {
        unsigned char b = k < 9 ? head[k] : pg->wkb[k - 4];
        buf[0] = hex[b >> 4];
        buf[1] = hex[b & 15];
        rc = line_put(pg, buf, 2);
    }
    return rc;
}

/* The line built, sent as one COPY row. */
static int send_line(struct export_postgis *pg, struct tc_error *err)
{
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while writing to PostGIS: "
                       "nothing was changed there");
    return PQputCopyData(pg->conn, pg->line, (int)pg->line_len) == 1
        ? 0 : pg_fail(pg, err, "COPY");
}

/* A COPY row's end, after its fields (rc: how they went): the geometry,
 * the newline, and the row sent; g is freed in every case. */
static int end_row(struct export_postgis *pg, int rc, OGRGeometryH g, struct tc_error *err)
{
    if (rc == 0)
        rc = line_put(pg, "\t", 1);
    if (rc == 0)
        rc = line_geometry(pg, g);
    if (rc == 0)
        rc = line_put(pg, "\n", 1);
    OGR_G_DestroyGeometry(g);
    return rc == 0 ? send_line(pg, err) : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
}

struct copy { struct export_postgis *pg; const struct plan *p; };

static int copy_record(void *ctx, long i, const struct value *v, OGRGeometryH g,
                       struct tc_error *err)
{
    struct copy *c = ctx;
    struct export_postgis *pg = c->pg;
    char num[64];
    pg->line_len = 0;
    snprintf(num, sizeof num, "%ld", i + 1);
    int rc = line_put(pg, num, strlen(num));
    for (int k = 0; rc == 0 && k < c->p->nf; k++) {
        rc = line_put(pg, "\t", 1);
        if (rc == 0 && v[k].null)
            rc = line_put(pg, "\\N", 2);
        else if (rc == 0 && c->p->f[k].type == FT_STR)
            rc = line_text(pg, v[k].s);
        else if (rc == 0) {
            if (c->p->f[k].type == FT_INT)
                snprintf(num, sizeof num, "%d", (int)v[k].d);
            else
                snprintf(num, sizeof num, isfinite(v[k].d) ? "%.17g" : "\\N", v[k].d);
            rc = line_put(pg, num, strlen(num));
        }
    }
    return end_row(pg, rc, g, err);
}

/* CREATE TABLE (fid, the n columns of cols, geom) and COPY ... FROM STDIN. */
static int copy_begin(struct export_postgis *pg, const char *name, const char *cols, int point,
                      struct tc_error *err)
{
    char sql[8192], t[2 * TC_STR_MAX];
    quote_ident(pg->conn, name, t, sizeof t);
    snprintf(sql, sizeof sql, "CREATE TABLE %s.%s (fid integer PRIMARY KEY%s, geom "
             "geometry(%s, %d))", pg->schema, t, cols, point ? "Point" : "MultiPolygon",
             pg->srid);
    if (exec(pg, sql, err) != 0)
        return -1;
    snprintf(sql, sizeof sql, "COPY %s.%s FROM STDIN", pg->schema, t);
    PGresult *r = PQexec(pg->conn, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    return ok ? 0 : pg_fail(pg, err, "COPY");
}

/* Ends the COPY (cancelled when rc != 0), then the GiST index and the
 * registry row. */
static int copy_end(struct export_postgis *pg, const char *name, int rc, struct tc_error *err)
{
    if (PQputCopyEnd(pg->conn, rc == 0 ? NULL : "towncov stopped") != 1 && rc == 0)
        rc = pg_fail(pg, err, "COPY");
    PGresult *r = PQgetResult(pg->conn);
    if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(pg, err, "COPY");
    PQclear(r);
    while ((r = PQgetResult(pg->conn)))
        PQclear(r);
    if (rc != 0)
        return -1;
    char sql[8192], t[2 * TC_STR_MAX];
    quote_ident(pg->conn, name, t, sizeof t);
    snprintf(sql, sizeof sql, "CREATE INDEX ON %s.%s USING GIST (geom)", pg->schema, t);
    return exec(pg, sql, err) == 0 ? register_table(pg, name, err) : -1;
}

/* ", name type" for each of the n columns. */
static void column(struct export_postgis *pg, char *cols, size_t size, const char *name, const char *type)
{
    char f[256];
    quote_ident(pg->conn, name, f, sizeof f);
    size_t len = strlen(cols);
    snprintf(cols + len, size - len, ", %s %s", f, type);
}

static int write_layer(const struct exporter *ex, struct export_postgis *pg, const struct plan *p,
                       struct tc_error *err)
{
    char cols[4096] = "";
    for (int k = 0; k < p->nf; k++)
        column(pg, cols, sizeof cols, p->f[k].name, sql_type(p->f[k].type));
    if (copy_begin(pg, p->spec->name, cols, p->spec->shp_type == SHPT_POINT, err) != 0)
        return -1;
    struct copy c = {pg, p};
    return copy_end(pg, p->spec->name, export_each_record(ex, p, copy_record, &c, err), err);
}

/* ---- a layer from a shapefile (the plan's added_sites) --------------------*/
static const char *ogr_sql_type(OGRFieldType t)
{
    return t == OFTInteger ? "integer" : t == OFTInteger64 ? "bigint"
         : t == OFTReal    ? "double precision" : "text";
}

/* Feature i of the layer as a COPY row; field `whole_field`'s value from
 * whole when it has one (the .dbf's is cut). */
static int extra_row(struct export_postgis *pg, OGRFeatureH f, long i,
                     const struct export_whole_texts *whole, int whole_field,
                     struct tc_error *err)
{
    char num[64];
    pg->line_len = 0;
    snprintf(num, sizeof num, "%ld", i + 1);
    int rc = line_put(pg, num, strlen(num));
    for (int k = 0; rc == 0 && k < OGR_F_GetFieldCount(f); k++) {
        OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, k));
        rc = line_put(pg, "\t", 1);
        if (rc == 0 && k == whole_field && i < whole->n && whole->value[i])
            rc = line_text(pg, whole->value[i]);
        else if (rc == 0 && !OGR_F_IsFieldSetAndNotNull(f, k))
            rc = line_put(pg, "\\N", 2);
        else if (rc == 0 && (t == OFTInteger || t == OFTInteger64 || t == OFTReal)) {
            if (t == OFTReal)
                snprintf(num, sizeof num, "%.17g", OGR_F_GetFieldAsDouble(f, k));
            else
                snprintf(num, sizeof num, "%lld", (long long)OGR_F_GetFieldAsInteger64(f, k));
            rc = line_put(pg, num, strlen(num));
        } else if (rc == 0)
            rc = line_text(pg, OGR_F_GetFieldAsString(f, k));
    }
    OGRGeometryH g = OGR_F_StealGeometry(f);
    if (g && wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint)
        g = OGR_G_ForceToMultiPolygon(g);
    return end_row(pg, rc, g, err);
}

/* The layer's name: the file's name without folder and .shp. */
static void extra_name(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(out, size, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = '\0';
}

/* The shapefile at path as a table named like it, its columns typed as
 * OGR reads them from the .dbf, whole's texts in place of the .dbf's cut
 * ones (NULL: none). */
static int write_extra(struct export_postgis *pg, const char *path,
                       const struct export_whole_texts *whole, struct tc_error *err)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH l = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
    if (!l) {
        if (ds)
            GDALClose(ds);
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot read it back: %s", path,
                       CPLGetLastErrorMsg());
    }
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    char name[TC_STR_MAX], cols[4096] = "";
    extra_name(path, name, sizeof name);
    for (int k = 0; k < OGR_FD_GetFieldCount(d); k++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, k);
        column(pg, cols, sizeof cols, OGR_Fld_GetNameRef(fd), ogr_sql_type(OGR_Fld_GetType(fd)));
    }
    int whole_field = whole && strcmp(whole->layer, name) == 0
                    ? OGR_FD_GetFieldIndex(d, whole->field) : -1;
    int rc = copy_begin(pg, name, cols, wkbFlatten(OGR_FD_GetGeomType(d)) == wkbPoint, err);
    if (rc == 0) {
        OGRFeatureH f;
        OGR_L_ResetReading(l);
        for (long i = 0; rc == 0 && (f = OGR_L_GetNextFeature(l)); i++) {
            rc = extra_row(pg, f, i, whole, whole_field, err);
            OGR_F_Destroy(f);
        }
        rc = copy_end(pg, name, rc, err);
    }
    GDALClose(ds);
    return rc;
}

/* towncov_run: the run, as in the GeoPackage. */
static int write_run(const struct exporter *ex, struct export_postgis *pg, struct tc_error *err)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "CREATE TABLE %s.towncov_run (id integer PRIMARY KEY, scenario "
             "text, scenario_file text, seed bigint, build text, verdict text, checksum text, "
             "townships integer, sites bigint)", pg->schema);
    if (exec(pg, sql, err) != 0)
        return -1;
    struct export_run_row r;
    export_run_row_of(ex->run, &r);
    char seed[32], build[512], sum[32], towns[32], sites[32];
    snprintf(seed, sizeof seed, "%ld", r.seed);
    export_build_name(build, sizeof build);
    snprintf(sum, sizeof sum, "%016llx", r.checksum);
    snprintf(towns, sizeof towns, "%d", r.townships);
    snprintf(sites, sizeof sites, "%ld", r.sites);
    const char *v[] = {r.scenario, r.scenario_file, seed, build, r.verdict, sum, towns, sites};
    snprintf(sql, sizeof sql, "INSERT INTO %s.towncov_run VALUES (1, $1, $2, $3::bigint, $4, "
             "$5, $6, $7::int, $8::bigint)", pg->schema);
    PGresult *res = PQexecParams(pg->conn, sql, 8, NULL, v, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? register_table(pg, "towncov_run", err) : pg_fail(pg, err, "towncov_run");
}

static int write_all(const struct exporter *ex, struct export_postgis *pg, const struct plan *p,
                     int n, struct tc_error *err)
{
    const char *schema = ex->run->output->postgis_schema;
    const char *names[EXPORT_NLAYERS + 2];
    char extra[TC_STR_MAX] = "";
    for (int i = 0; i < n; i++)
        names[i] = p[i].spec->name;
    names[n] = "towncov_run";
    if (ex->run->extra_layer)
        extra_name(ex->run->extra_layer, extra, sizeof extra);
    names[n + 1] = extra;
    char sql[8 * TC_STR_MAX];
    snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", pg->schema);
    if (exec(pg, "BEGIN", err) != 0 || exec(pg, "SET LOCAL client_min_messages = warning",
                                            err) != 0 ||
        exec(pg, sql, err) != 0 || find_srid(pg, ex->prj_wkt, err) != 0 ||
        clear_own_tables(pg, schema, names, n + 1 + (extra[0] != '\0'), err) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (write_layer(ex, pg, &p[i], err) != 0)
            return -1;
    if (extra[0] && write_extra(pg, ex->run->extra_layer, ex->run->extra_texts, err) != 0)
        return -1;
    return write_run(ex, pg, err);
}

/* The connection closed, its transaction rolled back when still open. */
static void pg_free(struct export_postgis *pg, int rollback)
{
    if (rollback && pg->conn) { /* nothing of this run stays: the earlier tables as they were */
        PGresult *r = PQexec(pg->conn, "ROLLBACK");
        PQclear(r);
    }
    PQfinish(pg->conn);
    free(pg->conninfo);
    free(pg->wkb);
    free(pg->line);
    free(pg);
}

int export_postgis_commit(struct export_postgis **pending, struct tc_error *err)
{
    struct export_postgis *pg = *pending;
    if (!pg)
        return 0;
    *pending = NULL;
    int rc = tc_interrupted() ? tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while "
                                        "writing to PostGIS: nothing was changed there")
                              : exec(pg, "COMMIT", err);
    pg_free(pg, rc != 0);
    return rc;
}

int export_postgis_commit_last(void *pending, struct tc_error *err)
{
    return export_postgis_commit(pending, err);
}

void export_postgis_abort(struct export_postgis **pending)
{
    if (*pending)
        pg_free(*pending, 1);
    *pending = NULL;
}

int export_write_postgis(const struct exporter *ex, const struct plan *p, int n,
                         struct tc_error *err)
{
    const struct output_config *oc = ex->run->output;
    struct export_postgis *pg = calloc(1, sizeof *pg);
    const char *conninfo = oc->postgis + (strncasecmp(oc->postgis, "PG:", 3) ? 0 : 3);
    if (!pg || !(pg->conninfo = strdup(conninfo))) { /* kept: the scenario may go first */
        free(pg);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    }
    ogrread_mask(oc->postgis, pg->target, sizeof pg->target);
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {pg->conninfo, "towncov", NULL};
    pg->conn = PQconnectdbParams(keys, vals, 1); /* dbname holds the whole string: expanded */
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        int rc = pg_fail(pg, err, "cannot connect");
        pg_free(pg, 0);
        return rc;
    }
    quote_ident(pg->conn, oc->postgis_schema, pg->schema, sizeof pg->schema);
    if (write_all(ex, pg, p, n, err) != 0) {
        pg_free(pg, 1);
        return -1;
    }
    if (ex->run->postgis_open) { /* the caller commits, after its last file */
        *ex->run->postgis_open = pg;
        return 0;
    }
    struct export_postgis *pending = pg;
    return export_postgis_commit(&pending, err);
}
