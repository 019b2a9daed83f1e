/* The rasters' scanlines (sim/raster/scan.c): every cell gets the township
 * a point-in-polygon test per cell (map_locate) gives it, and only a few
 * cells are left to that test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include <geos_c.h>

#include "towncov/map.h"
#include "towncov/raster.h"
#include "towncov/scenario.h"

#include "../sim/raster/raster_internal.h"

static struct tc_map *jiangxi(void)
{
    static struct scenario scn;
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "maps/jiangxi/townships.shp");
    FILE *devnull = fopen("/dev/null", "w");
    struct tc_error err = {0};
    struct tc_map *m = map_load(&scn.map, NULL, 2, devnull, &err);
    fclose(devnull);
    cr_assert_not_null(m, "%s", err.msg);
    return m;
}

/* Strips of 64 rows over Jiangxi at res: cells compared, cells unsure. */
static void compare(const struct tc_map *map, double res, long *cells, long *unsure)
{
    struct raster_grid g;
    raster_grid_of(map, res, &g);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(map, ctx);
    struct rscan *scan = rscan_new(map, &g, map->ctx, 64);
    int *own = malloc((size_t)g.width * sizeof *own);
    uint8_t *scratch = malloc((size_t)g.width);
    cr_assert(loc && scan && own && scratch);
    *cells = *unsure = 0;
    for (int r0 = 0; r0 < g.height; r0 += 64) {
        int nr = g.height - r0 < 64 ? g.height - r0 : 64;
        cr_assert_eq(rscan_strip(scan, r0, nr), 0);
        for (int k = 0; k < nr; k++) {
            rscan_row(scan, k, own, scratch);
            double y = g.y1 - (r0 + k + 0.5) * g.res;
            for (int c = 0; c < g.width; c++) {
                double x = g.x0 + (c + 0.5) * g.res;
                int want = map_locate(loc, x, y);
                (*cells)++;
                if (own[c] == RSCAN_UNSURE) {
                    (*unsure)++;
                    continue;
                }
                cr_assert_eq(own[c], want, "row %d col %d: scanline %d, GEOS %d", r0 + k, c,
                             own[c], want);
            }
        }
    }
    free(own);
    free(scratch);
    rscan_free(&scan);
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
}

Test(raster, scanlines_give_the_township_of_every_cell)
{
    struct tc_map *map = jiangxi();
    long cells, unsure;
    compare(map, 1000, &cells, &unsure);
    cr_assert_gt(cells, 150000);
    cr_assert_lt(unsure, cells / 1000, "%ld of %ld cells unsure", unsure, cells);
    /* A grid whose centre lines fall on round coordinates, and a coarse one. */
    compare(map, 2500, &cells, &unsure);
    compare(map, 30000, &cells, &unsure);
    map_free(&map);
}
