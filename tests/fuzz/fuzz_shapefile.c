/* libFuzzer harness: the map loader (shapelib + shpio + PROJ + GEOS) on
 * arbitrary .shp/.shx/.dbf files. Input layout: 2-byte little-endian length
 * of the .shp, 2-byte length of the .shx, the .shp, the .shx, then the rest
 * is the .dbf. A fixed WGS 84 .prj stands beside them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"

static int write_part(const char *base, const char *ext, const uint8_t *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s", base, ext);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(data, 1, n, f);
    fclose(f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t nshp = data[0] | (size_t)data[1] << 8, nshx = data[2] | (size_t)data[3] << 8;
    if (4 + nshp + nshx > size)
        return 0;
    char dir[] = "/tmp/towncov-fuzz-shp-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    char base[64];
    snprintf(base, sizeof base, "%s/m", dir);
    const uint8_t *p = data + 4;
    write_part(base, ".shp", p, nshp);
    write_part(base, ".shx", p + nshp, nshx);
    write_part(base, ".dbf", p + nshp + nshx, size - 4 - nshp - nshx);
    write_part(base, ".prj", (const uint8_t *)shpio_wgs84_wkt, strlen(shpio_wgs84_wkt));
    static struct scenario scn;
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    struct tc_error err;
    struct tc_map *m = map_load(&scn.map, NULL, 1, NULL, &err);
    map_free(&m);
    const char *ext[] = {".shp", ".shx", ".dbf", ".prj"};
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s", base, ext[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}
