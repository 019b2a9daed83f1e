/* cli/demgen.c — `towncov demgen MAP --out FILE.tif`: a synthetic DEM over
 * a map's extent for tests and benchmarks (the generator is
 * terrain_demgen, sim/terrain/demgen.c). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/terrain.h"

struct demgen_args {
    const char *map, *out, *seed;
    double cell_m, relief_m, pad_m;
    long threads;
    int quiet;
};

static const struct cli_opt demgen_opts[] = {
    {"out", 0, CLI_TEXT, "FILE.tif", 0, 0, offsetof(struct demgen_args, out),
     "the GeoTIFF to write (required; replaced once whole)"},
    {"cell-m", 0, CLI_NUM, "M", 1, 100000, offsetof(struct demgen_args, cell_m),
     "cell size in metres (default 90, SRTM's 3 arc-seconds)"},
    {"relief-m", 0, CLI_NUM, "M", 1, 8000, offsetof(struct demgen_args, relief_m),
     "heights from 0 to M metres (default 1500, about\nJiangxi's ranges)"},
    {"pad-m", 0, CLI_NUM, "M", 0, 1000000, offsetof(struct demgen_args, pad_m),
     "the map's extent widened by M metres on every side\n(default 20000: the stations' "
     "reach beyond the border)"},
    {"seed", 0, CLI_TEXT, "N", 0, 0, offsetof(struct demgen_args, seed),
     "random seed (default 1); same map, options and seed\ngive a byte-identical file"},
    CLI_OPT_THREADS(struct demgen_args, threads),
    {"quiet", 'q', CLI_FLAG, NULL, 0, 0, offsetof(struct demgen_args, quiet),
     "no line about the file written"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const demgen_synopsis[] = {"MAP --out FILE.tif [options]", NULL};

const struct cli_cmd cli_demgen_cmd = {
    .name = "demgen",
    .synopsis = demgen_synopsis,
    .summary = "write a synthetic DEM over a map's extent (tests, benchmarks)",
    .about = "Writes a deterministic synthetic elevation model over the extent of MAP (any\n"
             "vector source GDAL/OGR opens: its first layer), for [terrain] dem: ridged\n"
             "fractal relief (octaves of value noise from 60 km wavelength down to four\n"
             "cells, each folded as (1 - |n|)^2: sharp ridges, broad valleys), heights 0 to\n"
             "--relief-m, on a lon/lat grid (EPSG:4326, like SRTM) of cells about --cell-m\n"
             "metres, as a tiled DEFLATE Int16 GeoTIFF. It is a model of relief, not data:\n"
             "its ridges are nowhere in particular. A real DEM: docs/terrain.md.",
    .opts = demgen_opts,
    .operand = "MAP",
    .operand_offset = offsetof(struct demgen_args, map),
    .notes = "Exit status: 0 ok, 2 bad arguments, 4 MAP unreadable, 6 the grid does not\n"
             "fit in memory, 7 cannot write FILE.tif.",
    .main = cli_demgen,
};

int cli_demgen(int argc, char **argv)
{
    struct demgen_args a = {.cell_m = 90, .relief_m = 1500, .pad_m = 20000};
    int rc = cli_parse(&cli_demgen_cmd, argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!a.map)
        return cli_usage_error(&cli_demgen_cmd, "no MAP given");
    if (!a.out)
        return cli_usage_error(&cli_demgen_cmd, "--out FILE.tif is required");
    struct terrain_demgen o = {a.map, a.out, a.cell_m, a.relief_m, a.pad_m, 1, (int)a.threads};
    if (a.seed) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(a.seed, &end, 10);
        if (errno || end == a.seed || *end || *a.seed == '-')
            return cli_usage_error(&cli_demgen_cmd, "--seed needs a whole number, not '%s'",
                                   a.seed);
        o.seed = v;
    }
    struct tc_error err = {0};
    if (terrain_demgen(&o, a.quiet ? NULL : stdout, &err) != 0)
        return cli_report(&err);
    return TC_EXIT_OK;
}
