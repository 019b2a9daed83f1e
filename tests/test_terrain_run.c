/* test_terrain_run.c — whole runs over a DEM ([terrain]): flat and evenly
 * sloping ground give exactly the results of model = none; a station in a
 * closed valley stops at the ridges; the same relief in another CRS gives
 * the same coverage; nodata holes and a DEM covering half the map are
 * warned of (or fail under missing = error); the memory bound; threads;
 * bad keys. DEMs are written here with GDAL. */
#include <criterion/criterion.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/terrain.h"

static char dir[256];
static char out[1 << 16];

/* One town township 8 km square; stations at the centre and off it. */
static const struct fx_township town[] = {
    {"1", "valley", "c", "town", FX_SQUARE(-4000, -4000, 4000, 4000), 0, 0},
};

static void setup(const double *sites, int n, const char *terrain)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, town, 1);
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    fx_write_sites(path, "s", sites, n);
    char ini[2048];
    snprintf(ini, sizeof ini,
             "[scenario]\nname = terrain\n[map]\nfile = map.shp\n[sites]\nstrategy = file\n"
             "file = sites.csv\n[radio]\nmodel = link\nsectors_town = 0\n[raster]\n"
             "resolution_m = 0\n[output]\nlayers = no\npicture = no\n[terrain]\n%s",
             terrain ? terrain : "");
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, ini);
}

static int run(const char *name, const char *more)
{
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/%s %s", dir, dir, name, more);
    return fx_run(args, out, sizeof out);
}

static double covered_km2(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/townships.csv", dir, name);
    char *t = fx_read_file(path, NULL);
    cr_assert_not_null(t, "%s", path);
    char *line = strchr(t, '\n') + 1;
    double v = 0;
    char *f = line;
    for (int k = 0; k < 5; k++)
        f = strchr(f, ',') + 1;
    v = atof(f);
    free(t);
    return v;
}

static int same_results(const char *a, const char *b)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s/townships.csv", dir, a);
    snprintf(pb, sizeof pb, "%s/%s/townships.csv", dir, b);
    return fx_same_file(pa, pb);
}

/* A DEM of nx x ny cells of `cell` m (or degrees) from (x0, y1) down, in
 * crs (PROJ string or "EPSG:4326"), heights z(x, y) of the cell centre in
 * the fixture's metres (NaN: nodata). */
static void write_dem(const char *name, const char *crs, double x0, double y1, double cell,
                      int nx, int ny, double (*z)(double, double))
{
    GDALAllRegister();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, nx, ny, 1, GDT_Float32, NULL);
    cr_assert_not_null(ds);
    double gt[6] = {x0, cell, 0, y1, 0, -cell};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRSetFromUserInput(srs, crs);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    int geo = strcmp(crs, "EPSG:4326") == 0;
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *pj = geo ? proj_create_crs_to_crs(ctx, "EPSG:4326", fx_laea, NULL) : NULL;
    PJ *norm = pj ? proj_normalize_for_visualization(ctx, pj) : NULL;
    float *row = malloc(sizeof *row * (size_t)nx);
    for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
            double x = x0 + (i + 0.5) * cell, y = y1 - (j + 0.5) * cell;
            if (norm) {
                PJ_COORD c = proj_trans(norm, PJ_FWD, proj_coord(x, y, 0, 0));
                x = c.xy.x, y = c.xy.y;
            }
            double v = z(x, y);
            row[i] = isnan(v) ? -9999.0f : (float)v;
        }
        cr_assert_eq(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, j, nx, 1, row, nx, 1,
                                  GDT_Float32, 0, 0), CE_None);
    }
    GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), -9999);
    free(row);
    proj_destroy(norm);
    proj_destroy(pj);
    proj_context_destroy(ctx);
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
}

static double flat(double x, double y)
{
    (void)x, (void)y;
    return 812.5;
}

static double sloping(double x, double y)
{
    return 300 + 0.04 * x - 0.03 * y;
}

/* A bowl: floor at 100 m, a ring ridge 250 m high at 400-520 m from the
 * centre, falling back outside. */
static double valley(double x, double y)
{
    double r = hypot(x, y);
    return r < 400 || r > 520 ? 100 : 350;
}

/* Rolling relief: a few sines. */
static double hills(double x, double y)
{
    return 200 + 60 * sin(x / 310.0) * cos(y / 270.0) + 35 * sin((x + 2 * y) / 150.0);
}

static double holes(double x, double y)
{
    return fabs(x - 300) < 200 && fabs(y) < 200 ? NAN : hills(x, y);
}

static double half(double x, double y)
{
    return hills(x, y);
}

static const double centre[] = {0, 0};
static const double three[] = {0, 0, 1500, -800, -2200, 1700};

#define TERRAIN_ON(dem) "model = delta-bullington\ndem = " dem "\n"

Test(terrain_run, flat_and_sloping_ground_give_the_results_of_none)
{
    setup(three, 3, TERRAIN_ON("flat.tif"));
    write_dem("flat.tif", fx_laea, -6000, 6000, 90, 134, 134, flat);
    write_dem("slope.tif", fx_laea, -6000, 6000, 90, 134, 134, sloping);
    cr_assert_eq(run("flat", ""), 0, "%s", out);
    cr_assert_eq(run("slope", "--set terrain.dem=slope.tif"), 0, "%s", out);
    cr_assert_eq(run("none", "--set terrain.model=none"), 0, "%s", out);
    cr_assert(covered_km2("none") > 1, "the stations cover something: %s", out);
    cr_assert(same_results("flat", "none"), "a flat DEM changes the results");
    cr_assert(same_results("slope", "none"), "an evenly sloping DEM changes the results");
}

Test(terrain_run, a_closed_valley_stops_the_footprint_at_its_ridges)
{
    setup(centre, 1, TERRAIN_ON("valley.tif"));
    write_dem("valley.tif", fx_laea, -6000, 6000, 30, 400, 400, valley);
    cr_assert_eq(run("valley", ""), 0, "%s", out);
    cr_assert_eq(run("none", "--set terrain.model=none"), 0, "%s", out);
    double in = covered_km2("valley"), flat_km2 = covered_km2("none");
    double ridge = M_PI * 0.52 * 0.52; /* the disc to the ridge's outer foot */
    cr_assert(flat_km2 > 1.5 * ridge, "flat footprint %.3f km2", flat_km2);
    cr_assert(in <= ridge && in > 0.3, "valley footprint %.3f km2: the ridge ends it (%.3f)", in,
              ridge);
}

Test(terrain_run, the_same_relief_in_another_crs)
{
    setup(three, 3, TERRAIN_ON("laea.tif"));
    write_dem("laea.tif", fx_laea, -7000, 7000, 30, 467, 467, hills);
    /* the same heights on a lon/lat grid of ~1 arc-second */
    double deg = 30 / 111320.0;
    write_dem("geo.tif", "EPSG:4326", -7000 / 111320.0, 7000 / 110574.0, deg, 467, 467, hills);
    cr_assert_eq(run("laea", ""), 0, "%s", out);
    cr_assert_eq(run("geo", "--set terrain.dem=geo.tif"), 0, "%s", out);
    cr_assert_eq(run("none", "--set terrain.model=none"), 0, "%s", out);
    double a = covered_km2("laea"), b = covered_km2("geo"), n = covered_km2("none");
    cr_assert(a < 0.97 * n, "the hills shorten the footprints: %.4f of %.4f", a, n);
    cr_assert(fabs(a - b) < 0.02 * a, "LAEA DEM %.4f km2, lon/lat DEM %.4f km2", a, b);
}

Test(terrain_run, nodata_holes_warn_or_fail)
{
    setup(centre, 1, TERRAIN_ON("holes.tif"));
    write_dem("holes.tif", fx_laea, -6000, 6000, 30, 400, 400, holes);
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/w", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "towncov: warning: ") && strstr(out, "nodata or outside the DEM") &&
              strstr(out, "last known height"), "%s", out);
    cr_assert_eq(run("e", "--set terrain.missing=error"), 4, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, "holes.tif"), "%s", out);
}

Test(terrain_run, a_dem_covering_half_the_map)
{
    setup(three, 3, TERRAIN_ON("half.tif"));
    write_dem("half.tif", fx_laea, -7000, 7000, 30, 233, 467, half); /* x < 0 only */
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/h", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    const char *w = strstr(out, "towncov: warning: ");
    cr_assert(w && strstr(w, "nodata or outside the DEM"), "%s", out);
    double share = atof(strstr(w, "(") + 1);
    cr_assert(share > 20 && share < 80, "about half the heights missing: %.2f %%", share);
}

Test(terrain_run, same_results_on_one_and_two_threads)
{
    setup(three, 3, TERRAIN_ON("hills.tif"));
    write_dem("hills.tif", fx_laea, -7000, 7000, 30, 467, 467, hills);
    cr_assert_eq(run("t1", "--threads 1"), 0, "%s", out);
    cr_assert_eq(run("t2", "--threads 2"), 0, "%s", out);
    cr_assert(same_results("t1", "t2"));
}

Test(terrain_run, bad_keys_and_the_memory_bound)
{
    setup(centre, 1, "model = delta-bullington\n");
    cr_assert_eq(run("x", ""), 3, "%s", out);
    cr_assert(strstr(out, "terrain.dem"), "%s", out);
    setup(centre, 1, TERRAIN_ON("flat.tif") "memory_mb = 1\n");
    write_dem("flat.tif", fx_laea, -6000, 6000, 10, 1200, 1200, flat);
    cr_assert_eq(run("m", ""), 6, "%s", out);
    cr_assert(strstr(out, "terrain.memory_mb"), "%s", out);
    setup(centre, 1, TERRAIN_ON("nothere.tif"));
    cr_assert_eq(run("n", ""), 4, "%s", out);
    cr_assert(strstr(out, "nothere.tif"), "%s", out);
}

Test(terrain_run, link_prints_the_reach_over_the_dem)
{
    setup(centre, 1, TERRAIN_ON("valley.tif"));
    write_dem("valley.tif", fx_laea, -6000, 6000, 30, 400, 400, valley);
    char args[1024];
    snprintf(args, sizeof args, "link %s/s.ini", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    const char *r = strstr(out, "Reach over the terrain");
    cr_assert(r, "%s", out);
    const char *row = strstr(r, "\ntown ");
    cr_assert(row, "%s", out);
    long dirs;
    double cut, p5, p25, med, p75, p95;
    cr_assert_eq(sscanf(row, "\ntown %ld %lf%% %lf %lf %lf %lf %lf", &dirs, &cut, &p5, &p25, &med,
                        &p75, &p95), 7, "%s", row);
    cr_assert_eq(dirs, 72, "one station, a vertex every 5 degrees: %s", row);
    cr_assert_eq(cut, 100.0, "every direction meets the ridge: %s", row);
    cr_assert(p95 <= 520 && p5 >= 350, "the ridge at 400-520 m: %s", row);
}

/* ---- the sampler's local map ----------------------------------------------- */

static double plane(double x, double y)
{
    return 500 + 0.05 * x + 0.03 * y;
}

/* A lon/lat DEM of a plane given in the map's metres, far from the CRS's
 * centre: the second-order
 * map from metric offsets to the DEM's pixels must put every sample where
 * PROJ puts it, so that bilinear heights give the plane back (to the
 * plane's curvature in lon/lat over one arc-second cell: micrometres). */
Test(terrain_run, the_local_map_to_a_lonlat_dem_is_exact_to_centimetres)
{
    /* 2,500 km east and 3,000 km north of the CRS's centre (about 30 E,
     * 28 N), where the map between the two CRSs is far from linear */
    double cx = 2500e3, cy = 3000e3, lon, lat;
    fx_to_lonlat(cx, cy, &lon, &lat);
    setup(centre, 1, TERRAIN_ON("geo.tif"));
    double deg = 30 / 111320.0;
    write_dem("geo.tif", "EPSG:4326", lon - 300 * deg, lat + 300 * deg, deg, 600, 600, plane);
    struct terrain_config cfg = {.model = TERRAIN_DELTA_BULLINGTON, .memory_mb = 100};
    snprintf(cfg.dem, sizeof cfg.dem, "geo.tif");
    struct tc_error err = {0};
    struct terrain_dem *dem = terrain_dem_open(&cfg, dir, fx_laea, cx - 7000, cy - 7000,
                                               cx + 7000, cy + 7000, NULL, &err);
    cr_assert_not_null(dem, "%s", err.msg);
    double step = terrain_dem_step_m(dem); /* 30 m by 30 cos(lat) m: their mean */
    cr_assert(step > 25 && step < 30, "step %.3f m", step);
    struct terrain_sampler *s = terrain_sampler_new(dem, &err);
    cr_assert_not_null(s, "%s", err.msg);
    double worst = 0;
    cr_assert_eq(terrain_sampler_centre(s, cx, cy, 5000), 0);
    for (int a = 0; a < 72; a++)
        for (double r = 0; r <= 5000; r += 250) {
            double dx = r * cos(a * M_PI / 36), dy = r * sin(a * M_PI / 36);
            long miss = 0;
            double h = terrain_sampler_height(s, dx, dy, &miss);
            cr_assert_eq(miss, 0);
            worst = fmax(worst, fabs(h - plane(cx + dx, cy + dy)));
        }
    cr_assert(worst < 0.01, "worst height error %.4f m (a position error of %.2f m)", worst,
              worst / 0.058);
    terrain_sampler_free(&s);
    terrain_dem_free(&dem);
}

/* The rasters' profile (terrain_excess_at: heights gathered in one
 * vectorised loop, the slow path where a sample leaves the DEM's bilinear
 * cells or meets nodata) against the footprints' sampler, height by height
 * (terrain_frame_height, the last known one for a missing height) and the
 * excess of that profile: the same number, bit for bit, and the same
 * count of missing heights. */
Test(terrain_run, the_rasters_profiles_are_the_footprints_samples)
{
    setup(centre, 1, TERRAIN_ON("holes.tif"));
    write_dem("holes.tif", fx_laea, -3000, 3000, 30, 200, 200, holes); /* edges at +-3 km */
    struct terrain_config cfg = {.model = TERRAIN_DELTA_BULLINGTON, .memory_mb = 100,
                                 .k_factor = 4.0 / 3, .ground_eps_r = 22, .ground_sigma = 0.003};
    snprintf(cfg.dem, sizeof cfg.dem, "holes.tif");
    struct tc_error err = {0};
    struct terrain_dem *dem = terrain_dem_open(&cfg, dir, fx_laea, -3000, -3000, 3000, 3000,
                                               NULL, &err);
    cr_assert_not_null(dem, "%s", err.msg);
    struct terrain_sampler *s = terrain_sampler_new(dem, &err);
    cr_assert_not_null(s, "%s", err.msg);
    struct terrain_frame f;
    cr_assert_eq(terrain_sampler_frame(s, -150, 40, 2500, &f), 0);
    enum { CAP = 400 };
    double d[CAP], h[CAP], dr[CAP], hr[CAP], step = terrain_dem_step_m(dem);
    struct terrain_params p = terrain_params_of(&cfg, 700e6);
    long miss0 = 0, fast = 0, slow = 0, lost = 0;
    double h0 = terrain_frame_height(dem, &f, 0, 0, &miss0);
    cr_assert(miss0 == 0 && !isnan(h0));
    for (int a = 0; a < 144; a++)
        for (double r = 45; r <= 4000; r *= 1.37) {
            double dx = r * cos(a * M_PI / 72 + 0.01), dy = r * sin(a * M_PI / 72 + 0.01);
            long m1 = 0, m2 = 0;
            double e = terrain_excess_at(dem, &f, h0, dx, dy, 30, 1.5, &p, d, h, CAP, &m1);
            double rr = sqrt(dx * dx + dy * dy);
            if (!(rr > step)) {
                cr_assert_eq(e, 0);
                continue;
            }
            int n = terrain_profile_steps(dr, rr, step, CAP);
            double ux = dx / rr, uy = dy / rr;
            hr[0] = h0;
            for (int k = 1; k < n; k++) {
                double z = terrain_frame_height(dem, &f, dr[k] * ux, dr[k] * uy, &m2);
                hr[k] = isnan(z) ? hr[k - 1] : z;
            }
            double want = terrain_excess_db(dr, hr, n, 30, 1.5, &p);
            cr_assert(e == want, "angle %d r %.0f: %.15g vs %.15g dB", a, r, e, want);
            cr_assert_eq(m1, m2, "angle %d r %.0f: missing heights", a, r);
            for (int k = 0; k < n; k++)
                cr_assert(d[k] == dr[k] && h[k] == hr[k], "angle %d r %.0f sample %d", a, r, k);
            fast += m1 == 0, slow += m1 > 0, lost += m1;
        }
    cr_assert(fast > 500 && slow > 50, "both paths met: %ld whole, %ld with %ld missing", fast,
              slow, lost);
    /* Short scratch: the profile cut at cap samples, and the gather's
     * padding (to whole vectors of 8) cut with it; guard cells past cap
     * stay untouched. */
    for (int cap = 2; cap <= 40; cap++)
        for (int a = 0; a < 36; a++) {
            double dx = 2500 * cos(a * M_PI / 18 + 0.3), dy = 2500 * sin(a * M_PI / 18 + 0.3);
            double dc[64], hc[64];
            for (int k = 0; k < 64; k++)
                dc[k] = hc[k] = -7;
            long m1 = 0, m2 = 0;
            double e = terrain_excess_at(dem, &f, h0, dx, dy, 30, 1.5, &p, dc, hc, cap, &m1);
            double rr = sqrt(dx * dx + dy * dy), ux = dx / rr, uy = dy / rr;
            int n = terrain_profile_steps(dr, rr, step, cap);
            hr[0] = h0;
            for (int k = 1; k < n; k++) {
                double z = terrain_frame_height(dem, &f, dr[k] * ux, dr[k] * uy, &m2);
                hr[k] = isnan(z) ? hr[k - 1] : z;
            }
            cr_assert(e == terrain_excess_db(dr, hr, n, 30, 1.5, &p), "cap %d angle %d", cap, a);
            cr_assert_eq(m1, m2, "cap %d angle %d: missing heights", cap, a);
            for (int k = 0; k < n; k++)
                cr_assert(dc[k] == dr[k] && hc[k] == hr[k], "cap %d angle %d sample %d", cap, a, k);
            for (int k = cap; k < 64; k++)
                cr_assert(dc[k] == -7 && hc[k] == -7, "cap %d: scratch written at %d", cap, k);
        }
    terrain_sampler_free(&s);
    terrain_dem_free(&dem);
}

/* ---- the signal rasters over the ground ------------------------------------- */

static const char *const layers[] = {"rsrp.tif", "best_server.tif", "sinr.tif", "servers.tif"};

static int same_rasters(const char *a, const char *b)
{
    for (int l = 0; l < 4; l++) {
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s/%s", dir, a, layers[l]);
        snprintf(pb, sizeof pb, "%s/%s/%s", dir, b, layers[l]);
        if (!fx_same_file(pa, pb))
            return 0;
    }
    return 1;
}

/* Layer `name` of run `run_name`: values, width, height, geotransform. */
struct grid {
    double *v, gt[6];
    int w, h;
};

static void read_layer(const char *run_name, const char *name, struct grid *g)
{
    GDALAllRegister();
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, run_name, name);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    cr_assert_not_null(ds, "%s", path);
    g->w = GDALGetRasterXSize(ds), g->h = GDALGetRasterYSize(ds);
    GDALGetGeoTransform(ds, g->gt);
    g->v = malloc(sizeof *g->v * (size_t)g->w * (size_t)g->h);
    cr_assert_eq(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, g->w, g->h, g->v, g->w,
                              g->h, GDT_Float64, 0, 0), CE_None);
    GDALClose(ds);
}

#define RASTERS "--set raster.resolution_m=40 "

Test(terrain_run, flat_and_sloping_ground_give_the_rasters_of_none)
{
    setup(three, 3, TERRAIN_ON("flat.tif"));
    write_dem("flat.tif", fx_laea, -6000, 6000, 90, 134, 134, flat);
    write_dem("slope.tif", fx_laea, -6000, 6000, 90, 134, 134, sloping);
    cr_assert_eq(run("flat", RASTERS), 0, "%s", out);
    cr_assert_eq(run("slope", RASTERS "--set terrain.dem=slope.tif"), 0, "%s", out);
    cr_assert_eq(run("none", RASTERS "--set terrain.model=none"), 0, "%s", out);
    cr_assert(same_rasters("flat", "none"), "a flat DEM changes the rasters");
    cr_assert(same_rasters("slope", "none"), "an evenly sloping DEM changes the rasters");
}

/* The bowl of a_closed_valley...: the station at its centre serves the
 * floor; behind the ring ridge (400-520 m) the cells lose the ridge's
 * diffraction and fall out of coverage, where flat ground covers them. */
Test(terrain_run, a_ridge_shadows_the_cells_behind_it)
{
    setup(centre, 1, TERRAIN_ON("valley.tif"));
    write_dem("valley.tif", fx_laea, -6000, 6000, 30, 400, 400, valley);
    cr_assert_eq(run("valley", RASTERS), 0, "%s", out);
    cr_assert_eq(run("none", RASTERS "--set terrain.model=none"), 0, "%s", out);
    struct grid tv, tn, sv, sn;
    read_layer("valley", "servers.tif", &sv);
    read_layer("none", "servers.tif", &sn);
    read_layer("valley", "rsrp.tif", &tv);
    read_layer("none", "rsrp.tif", &tn);
    long inside = 0, inside_lit = 0, behind = 0, behind_lit = 0, behind_flat = 0;
    double loss = INFINITY;
    for (int r = 0; r < sv.h; r++)
        for (int c = 0; c < sv.w; c++) {
            double x = sv.gt[0] + (c + 0.5) * sv.gt[1], y = sv.gt[3] + (r + 0.5) * sv.gt[5];
            double d = hypot(x, y), s = sv.v[(size_t)r * sv.w + c];
            size_t k = (size_t)r * sv.w + c;
            if (d > 60 && d < 350) {
                inside++;
                inside_lit += s == 1;
                cr_assert_eq(tv.v[k], tn.v[k], "the floor has no obstacle (%.0f m)", d);
            } else if (d > 600 && d < 700 && sn.v[k] == 1) {
                behind_flat++;
                behind_lit += s == 1;
                loss = fmin(loss, tn.v[k] - tv.v[k]);
                behind++;
            }
        }
    cr_assert(inside > 100 && inside_lit == inside, "the floor is served: %ld of %ld", inside_lit,
              inside);
    cr_assert(behind_flat > 50, "flat ground covers beyond the ridge: %ld cells", behind_flat);
    cr_assert_eq(behind_lit, 0, "%ld of %ld cells behind the ridge still served", behind_lit,
                 behind);
    cr_assert(loss > 10, "the ridge costs every cell behind it > 10 dB: least %.2f dB", loss);
    free(sv.v), free(sn.v), free(tv.v), free(tn.v);
}

Test(terrain_run, rasters_the_same_on_one_and_two_threads)
{
    setup(three, 3, TERRAIN_ON("hills.tif"));
    write_dem("hills.tif", fx_laea, -7000, 7000, 30, 467, 467, hills);
    cr_assert_eq(run("t1", RASTERS "--threads 1"), 0, "%s", out);
    cr_assert_eq(run("t2", RASTERS "--threads 2"), 0, "%s", out);
    cr_assert_eq(run("none", RASTERS "--set terrain.model=none"), 0, "%s", out);
    cr_assert(same_rasters("t1", "t2"));
    cr_assert(!same_rasters("t1", "none"), "the hills change the rasters");
}

/* A number of summary.json's "raster" object (-1 when absent). */
static long raster_number(const char *name, const char *key)
{
    char path[512], pat[128];
    snprintf(path, sizeof path, "%s/%s/summary.json", dir, name);
    char *t = fx_read_file(path, NULL);
    cr_assert_not_null(t, "%s", path);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *r = strstr(t, "\"raster\": {"), *v = r ? strstr(r, pat) : NULL;
    long x = v && v < strchr(r, '}') ? atol(v + strlen(pat)) : -1;
    free(t);
    return x;
}

Test(terrain_run, rasters_count_the_profiles_that_took_assumed_heights)
{
    setup(three, 3, TERRAIN_ON("half.tif"));
    write_dem("half.tif", fx_laea, -7000, 7000, 30, 250, 467, half); /* x < 500 only */
    write_dem("hills.tif", fx_laea, -7000, 7000, 30, 467, 467, hills);
    cr_assert_eq(run("whole", RASTERS "--set terrain.dem=hills.tif"), 0, "%s", out);
    long all = raster_number("whole", "terrain_pairs");
    cr_assert(all > 1000, "station-cell pairs over terrain: %ld", all);
    cr_assert_eq(raster_number("whole", "terrain_pairs_missing"), 0);
    cr_assert(!strstr(out, "signal rasters:"), "%s", out);
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/half " RASTERS, dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    long pairs = raster_number("half", "terrain_pairs");
    long miss = raster_number("half", "terrain_pairs_missing");
    cr_assert_eq(pairs, all, "the same pairs, whatever the DEM holds");
    /* the station at (1500, -800) stands off the DEM: all its pairs; the
     * one at the centre 500 m from its edge: the profiles that cross it */
    cr_assert(miss > pairs / 5 && miss < pairs * 9 / 10, "%ld of %ld pairs missing", miss, pairs);

    const char *w = strstr(out, "signal rasters: ");
    cr_assert(w, "the rasters warn: %s", out);
    long wm = 0, wp = 0;
    cr_assert_eq(sscanf(w, "signal rasters: %ld of %ld station-cell profiles", &wm, &wp), 2, "%s",
                 w);
    cr_assert(wm == miss && wp == pairs, "the warning says %ld of %ld", wm, wp);
    cr_assert(strstr(w, "last known one toward the station"), "what was assumed: %s", w);
    cr_assert_eq(run("none", RASTERS "--set terrain.model=none"), 0, "%s", out);
    cr_assert_eq(raster_number("none", "terrain_pairs"), -1, "flat runs' summary unchanged");
    /* The centre station alone, on the ground: only its profiles that
     * cross x = 500 m took assumed heights. */
    setup(centre, 1, TERRAIN_ON("half.tif"));
    write_dem("half.tif", fx_laea, -7000, 7000, 30, 250, 467, half);
    cr_assert_eq(run("one", RASTERS), 0, "%s", out);
    pairs = raster_number("one", "terrain_pairs");
    miss = raster_number("one", "terrain_pairs_missing");
    cr_assert(miss > pairs / 10 && miss < pairs / 2, "%ld of %ld pairs cross the edge", miss,
              pairs);
}

/* ---- the planner's candidates over the ground ------------------------------- */

/* The bowl again, the town's seat area (300 m) on its floor, the one
 * station far off. A candidate 1.5 km out, behind the ridge, covers the
 * seat area on flat ground; over the terrain it does not claim the valley:
 * alone it leaves the township unfixable, and beside one on the floor the
 * plan takes the one on the floor. */
static int plan_with(const char *cands, const char *name, const char *more)
{
    char path[512], args[2048];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    fx_write_text(path, cands);
    snprintf(args, sizeof args,
             "plan %s/s.ini --quiet --out %s/%s --candidates %s --set radio.band_town=n28 "
             "--set radio.pathloss_town=rma-nlos --set goal.seat_radius_town_m=300 %s",
             dir, dir, name, path, more);
    return fx_run(args, out, sizeof out);
}

static double plan_number(const char *name, const char *key)
{
    char path[512], pat[128];
    snprintf(path, sizeof path, "%s/%s/plan.json", dir, name);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text, "no %s: %s", path, out);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    char *p = strstr(text, pat);
    cr_assert_not_null(p, "%s: no %s", path, key);
    double v = atof(p + strlen(pat));
    free(text);
    return v;
}

static void cand_csv(char *buf, size_t n, const double *xy, int k)
{
    snprintf(buf, n, "id,lon,lat\n");
    for (int i = 0; i < k; i++) {
        double lon, lat;
        fx_to_lonlat(xy[2 * i], xy[2 * i + 1], &lon, &lat);
        snprintf(buf + strlen(buf), n - strlen(buf), "c%d,%.12f,%.12f\n", i + 1, lon, lat);
    }
}

Test(terrain_run, a_candidate_behind_a_ridge_does_not_claim_the_valley)
{
    setup((const double[]){3900, 3900}, 1, TERRAIN_ON("valley.tif"));
    write_dem("valley.tif", fx_laea, -12000, 12000, 30, 800, 800, valley);
    char behind[256], both[512];
    cand_csv(behind, sizeof behind, (const double[]){1500, 0}, 1);
    cand_csv(both, sizeof both, (const double[]){1500, 0, 100, 0}, 2);
    cr_assert_eq(plan_with(behind, "flat", "--set terrain.model=none"), 0, "%s", out);
    cr_assert_eq(plan_number("flat", "failing_before"), 1, "the seat area fails: %s", out);
    cr_assert_eq(plan_number("flat", "added"), 1, "on flat ground it covers the seat: %s", out);
    cr_assert_eq(plan_with(behind, "ridge", ""), 0, "%s", out);
    cr_assert_eq(plan_number("ridge", "added"), 0, "the ridge blocks it: %s", out);
    cr_assert_eq(plan_number("ridge", "unfixable"), 1, "%s", out);
    cr_assert_eq(plan_with(both, "floor", ""), 0, "%s", out);
    cr_assert_eq(plan_number("floor", "added"), 1, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/floor/added_sites.csv", dir);
    char *added = fx_read_file(path, NULL);
    cr_assert(added && strstr(added, "c2,") && !strstr(added, "c1,"), "%s", added);
    free(added);
}
