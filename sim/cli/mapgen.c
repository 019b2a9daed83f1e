/* cli/mapgen.c — `towncov mapgen ...`: the command line of the map builder
 * (options, usage text, the log or the error); the build is mapgen_build. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/mapgen.h"

struct mapgen_args {
    const char *counties, *townships, *population, *out, *seed;
    long synthetic, threads;
    double simplify;
    int quiet;
};

static const struct cli_opt mapgen_opts[] = {
    {"counties", 0, CLI_TEXT, "SHP", 0, 0, offsetof(struct mapgen_args, counties),
     "county polygons, lon/lat WGS 84, UTF-8 attributes: code,\nname, optional city and "
     "townships (checked against CSV);\na shapefile or any vector source GDAL/OGR opens "
     "(.gpkg,\n.geojson, .fgb, PG:..., FILE|layername=NAME)"},
    {"townships", 0, CLI_TEXT, "CSV", 0, 0, offsetof(struct mapgen_args, townships),
     "columns code,name,county_code[,kind] (by name, any order;\nUTF-8 or GBK, as spreadsheets "
     "save it); kind is subdistrict,\ntown, township or special (from the name when absent)"},
    {"population", 0, CLI_TEXT, "CSV", 0, 0, offsetof(struct mapgen_args, population),
     "county table (code, population, urban_share): each\ntownship's people as a run models "
     "them (urban over\nbuilt-up land, rural over the rest; docs/population.md)\ninto "
     "townships.shp: population, urban_pop, rural_pop"},
    {"synthetic", 0, CLI_INT, "N", 1, MAPGEN_SYNTHETIC_MAX, offsetof(struct mapgen_args, synthetic),
     "instead: a synthetic province of N townships near\n105E 30N (~95 km2 each, ~18 per "
     "county), for benchmarks"},
    {"out", 0, CLI_TEXT, "DIR", 0, 0, offsetof(struct mapgen_args, out),
     "output folder, replaced when the build passes; refused\nwhen it holds anything towncov did "
     "not write"},
    {"seed", 0, CLI_TEXT, "N", 0, 0, offsetof(struct mapgen_args, seed),
     "random seed (default 1); same inputs and seed give\nbyte-identical files"},
    {"simplify", 0, CLI_NUM, "DEG", 0, 0.1, offsetof(struct mapgen_args, simplify),
     "simplify the county borders to DEG degrees, borders two\ncounties share alike (default "
     "0.001, the resolution of\nthe Jiangxi source; 0 keeps every vertex; synthetic: 0)"},
    CLI_OPT_THREADS(struct mapgen_args, threads),
    {"quiet", 'q', CLI_FLAG, NULL, 0, 0, offsetof(struct mapgen_args, quiet), "no build log"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const mapgen_synopsis[] = {"--counties SHP --townships CSV --out DIR [options]",
                                              "--synthetic N --out DIR [options]", NULL};

const struct cli_cmd cli_mapgen_cmd = {
    .name = "mapgen",
    .synopsis = mapgen_synopsis,
    .summary = "build a township map from county polygons and a township list",
    .about = "Builds a township map: splits every county polygon into as many townships\n"
             "as the township list gives it (seeded Voronoi cells, relaxed by a few Lloyd\n"
             "iterations, subdistricts small and near the county's centre, clipped to the\n"
             "county so that its townships tile it exactly). Each township keeps its real\n"
             "code, name, county and kind; its cell's seed is its seat. The inner\n"
             "boundaries are synthetic: no open source has real township boundaries.",
    .opts = mapgen_opts,
    .notes = "Output in DIR: townships.shp (code, name, county, cnty_code, city, kind,\n"
             "seat_lon, seat_lat, area_km2), seats.shp (code, name, kind), seat_areas.shp\n"
             "(each township's seat area as a run models it by default, for a run's\n"
             "[map] seat_areas: code, name, kind, area_km2, source) and counties.shp\n"
             "(the cleaned counties: code, name, city, townships, area_km2), each with\n"
             ".shx .dbf .prj (WGS 84) .cpg (UTF-8).\n"
             "\n"
             "Cleaning and checks: collinear and spike vertices are removed, invalid county\n"
             "polygons made valid (GEOS MakeValid, structure method), parts and holes under\n"
             "0.1 km2 dropped, borders simplified (--simplify), edges densified to 0.005\n"
             "deg. The build fails unless every township is valid, each county's townships\n"
             "tile it (areas within 1e-6) and every seat is inside its township.\n"
             "Exit status: 0 ok, 2 bad arguments, 4 bad input, 7 cannot write, 8 a check\n"
             "failed.",
    .main = cli_mapgen,
};

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *v = x;
    return 0;
}

int cli_mapgen(int argc, char **argv)
{
    struct mapgen_args a = {.simplify = -1};
    int rc = cli_parse(&cli_mapgen_cmd, argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct mapgen_options o = {.counties_shp = a.counties, .townships_csv = a.townships,
                               .population_csv = a.population,
                               .synthetic = a.synthetic, .out_dir = a.out, .seed = 1,
                               .simplify_deg = a.simplify, .threads = (int)a.threads,
                               .verbose = !a.quiet};
    if (a.seed && parse_u64(a.seed, &o.seed) != 0)
        return cli_usage_error(&cli_mapgen_cmd, "--seed needs a whole number, not '%s'", a.seed);
    if (o.simplify_deg < 0) /* synthetic borders are straight already */
        o.simplify_deg = o.synthetic > 0 ? 0.0 : MAPGEN_SIMPLIFY_DEG;
    struct tc_error err = {0};
    if (mapgen_build(&o, NULL, &err) != 0) {
        if (err.exit_code == TC_EXIT_USAGE) /* options that do not go together */
            return cli_usage_error(&cli_mapgen_cmd, "%s", err.msg);
        return cli_report(&err);
    }
    return TC_EXIT_OK;
}
