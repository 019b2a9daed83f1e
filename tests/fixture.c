/* fixture.c — see fixture.h. */
#include "fixture.h"

#include <criterion/criterion.h>
#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "towncov/shpio.h"

const char fx_laea[] = "+proj=laea +lat_0=0 +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +units=m "
                       "+no_defs +type=crs";

const struct fx_township fx_grid4[4] = {
    {"11", "滕王阁街道", "东湖区", "subdistrict", FX_SQUARE(-20000, -20000, 0, 0), -10000, -10000},
    {"12", "黄马乡", "南昌县", "township", FX_SQUARE(0, -20000, 20000, 0), 10000, -10000},
    {"21", "莲塘镇", "南昌县", "town", FX_SQUARE(-20000, 0, 0, 20000), -10000, 10000},
    {"22", "恒湖垦殖场", "新建区", "special", FX_SQUARE(0, 0, 20000, 20000), 10000, 10000}};

const struct fx_township fx_halves[2] = {
    {"1", "west", "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
    {"2", "east", "c", "township", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};

const struct fx_township fx_row[4] = {
    {"1", "west", "cw", "town", FX_SQUARE(-10000, -2000, -6000, 2000), -8000, 0},
    {"2", "east", "ce", "town", FX_SQUARE(6000, -2000, 10000, 2000), 8000, 0},
    {"3", "middle", "cm", "town", FX_SQUARE(-2000, -2000, 2000, 2000), 0, 0},
    {"4", "far", "cf", "town", FX_SQUARE(20000, -2000, 24000, 2000), 22000, 0}};

void fx_tmpdir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/towncov-test-XXXXXX");
    cr_assert_not_null(mkdtemp(buf));
}

void fx_to_lonlat(double x, double y, double *lon, double *lat)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, fx_laea, "EPSG:4326", NULL);
    PJ *pj = proj_normalize_for_visualization(ctx, raw);
    PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0));
    *lon = c.xy.x;
    *lat = c.xy.y;
    proj_destroy(pj);
    proj_destroy(raw);
    proj_context_destroy(ctx);
}

static void write_prj(const char *base)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *crs = proj_create(ctx, fx_laea);
    const char *wkt = proj_as_wkt(ctx, crs, PJ_WKT1_ESRI, NULL);
    cr_assert_not_null(wkt);
    char path[1024];
    snprintf(path, sizeof path, "%s.prj", base);
    fx_write_text(path, wkt);
    proj_destroy(crs);
    proj_context_destroy(ctx);
}

void fx_write_map(const char *base, const struct fx_township *t, int n)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx);
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 64, 0);
    DBFAddField(dbf, "name", FTString, 254, 0); /* the dBase limit: long names */
    DBFAddField(dbf, "county", FTString, 254, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    DBFAddField(dbf, "seat_lon", FTDouble, 19, 11);
    DBFAddField(dbf, "seat_lat", FTDouble, 19, 11);
    struct tc_error err;
    for (int i = 0; i < n; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(ctx, rd, t[i].wkt);
        cr_assert_not_null(g, "bad fixture WKT %s", t[i].wkt);
        cr_assert_eq(shpio_write_polygon(ctx, shp, -1, g, &err), 0, "%s", err.msg);
        GEOSGeom_destroy_r(ctx, g);
        double lon, lat;
        fx_to_lonlat(t[i].seat_x, t[i].seat_y, &lon, &lat);
        DBFWriteStringAttribute(dbf, i, 0, t[i].code);
        DBFWriteStringAttribute(dbf, i, 1, t[i].name);
        DBFWriteStringAttribute(dbf, i, 2, t[i].county);
        DBFWriteStringAttribute(dbf, i, 3, t[i].kind);
        DBFWriteDoubleAttribute(dbf, i, 4, lon);
        DBFWriteDoubleAttribute(dbf, i, 5, lat);
    }
    SHPClose(shp);
    DBFClose(dbf);
    GEOSWKTReader_destroy_r(ctx, rd);
    GEOS_finish_r(ctx);
    write_prj(base);
    char cpg[1024];
    snprintf(cpg, sizeof cpg, "%s.cpg", base);
    fx_write_text(cpg, "UTF-8");
}

void fx_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

char *fx_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

int fx_same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *da = fx_read_file(a, &na), *db = fx_read_file(b, &nb);
    cr_assert(da && db, "%s or %s is missing", a, b);
    int same = na == nb && memcmp(da, db, na) == 0;
    free(da);
    free(db);
    return same;
}

double fx_ngon_area(double r, int n)
{
    return 0.5 * n * r * r * sin(2 * M_PI / n);
}

double fx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double fx_rnd(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

int fx_sh(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "cannot start: %s", cmd);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fx_run_prefixed(const char *prefix, const char *args, char *out, size_t size)
{
    const char *bin = getenv("TOWNCOV_BIN");
    cr_assert_not_null(bin, "TOWNCOV_BIN is not set (run the tests with make test)");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", prefix, bin, args);
    return fx_sh(cmd, out, size);
}

int fx_run(const char *args, char *out, size_t size)
{
    return fx_run_prefixed("", args, out, size);
}

int fx_runf(char *out, size_t size, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return fx_run(args, out, size);
}

const char *fx_path(const char *dir, const char *fmt, ...)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    int n = snprintf(b, sizeof bufs[0], "%s/", dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + n, sizeof bufs[0] - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

void fx_write_sites(const char *path, const char *prefix, const double *xy, int n)
{
    size_t size = 64 + (size_t)n * (strlen(prefix) + 64), len;
    char *csv = malloc(size);
    cr_assert_not_null(csv);
    len = (size_t)snprintf(csv, size, "id,lon,lat\n");
    for (int i = 0; i < n; i++) {
        double lon, lat;
        fx_to_lonlat(xy[2 * i], xy[2 * i + 1], &lon, &lat);
        len += (size_t)snprintf(csv + len, size - len, "%s%d,%.12f,%.12f\n", prefix, i + 1, lon,
                                lat);
    }
    cr_assert_lt(len, size);
    fx_write_text(path, csv);
    free(csv);
}
