/* Every QGIS project towncov writes (a run's towncov.qgs, with its signal
 * rasters, and plan.qgs) opened by QGIS itself, headless: each layer-tree
 * node must resolve to a valid layer under the id towncov wrote
 * (tests/check_qgs_projects.py). QGIS's Python bindings (python3-qgis) are
 * in the Makefile's test set-up; without them this test fails. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* dir/name (fx_path: rotating buffers). */
#define at(name) fx_path(dir, "%s", name)

Test(qgis_projects, every_project_opens_with_every_layer_in_qgis, .timeout = 300)
{
    fx_tmpdir(dir, sizeof dir);
    fx_write_map(at("map"), fx_row, 3); /* west, east, middle */
    double lon, lat;
    fx_to_lonlat(0, 0, &lon, &lat);
    char csv[256];
    snprintf(csv, sizeof csv, "id,lon,lat\ns1,%.12f,%.12f\n", lon, lat);
    fx_write_text(at("sites.csv"), csv);
    fx_write_text(at("s.ini"), "[scenario]\nname = qgis\n[map]\nfile = map.shp\n[sites]\n"
                               "strategy = file\nfile = sites.csv\n[radio]\nvertices = 64\n"
                               "radius_town_m = 1000\n[goal]\nseat_radius_town_m = 500\n");
    char args[2048];
    /* A run with every raster layer (link model), and a plan. */
    snprintf(args, sizeof args, "run %s --quiet --out %s --set radio.model=link "
             "--set raster.resolution_m=200 --set raster.layers=rsrp,sinr,servers,best_server",
             at("s.ini"), at("run"));
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "plan %s --quiet --out %s", at("s.ini"), at("plan"));
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    char *qgs = fx_read_file(at("run/towncov.qgs"), NULL);
    cr_assert(qgs && strstr(qgs, "<id>towncov_rsrp</id>"), "no raster layer in towncov.qgs");
    free(qgs);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "QT_QPA_PLATFORM=offscreen /usr/bin/python3 "
             "tests/check_qgs_projects.py %s %s 2>&1", at("run/towncov.qgs"),
             at("plan/plan.qgs"));
    int rc = fx_sh(cmd, out, sizeof out);
    cr_assert(rc == 0 && strstr(out, "\nok\n"), "QGIS (python3-qgis installed?): %s", out);
    cr_assert(strstr(out, "plan.qgs: 2 layers"), "%s", out);
}
