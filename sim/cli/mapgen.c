/* cli/mapgen.c — `towncov mapgen ...`: the command line of the map builder
 * (options, usage text, the log or the error); the build is mapgen_build. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/mapgen.h"

static const char usage[] =
    "Usage: towncov mapgen --counties SHP --townships CSV --out DIR [options]\n"
    "       towncov mapgen --synthetic N --out DIR [options]\n"
    "\n"
    "Builds a township map: splits every county polygon into as many townships\n"
    "as the township list gives it (seeded Voronoi cells, relaxed by a few Lloyd\n"
    "iterations, subdistricts small and near the county's centre, clipped to the\n"
    "county so that its townships tile it exactly). Each township keeps its real\n"
    "code, name, county and kind; its cell's seed is its seat. The inner\n"
    "boundaries are synthetic: no open source has real township boundaries.\n"
    "\n"
    "Input:\n"
    "  --counties SHP     county polygons, lon/lat WGS 84, UTF-8 attributes: code,\n"
    "                     name, optional city and townships (checked against CSV);\n"
    "                     a shapefile or any vector source GDAL/OGR opens (.gpkg,\n"
    "                     .geojson, .fgb, PG:..., FILE|layername=NAME)\n"
    "  --townships CSV    columns code,name,county_code[,kind] (by name, any order;\n"
    "                     UTF-8 or GBK, as spreadsheets save it); kind is subdistrict,\n"
    "                     town, township or special (from the name when absent)\n"
    "  --synthetic N      instead: a synthetic province of N townships near\n"
    "                     105E 30N (~95 km2 each, ~18 per county), for benchmarks\n"
    "\n"
    "Options:\n"
    "  --out DIR          output folder, replaced when the build passes; refused\n"
    "                     when it holds anything towncov did not write\n"
    "  --seed N           random seed (default 1); same inputs and seed give\n"
    "                     byte-identical files\n"
    "  --simplify DEG     simplify the county borders to DEG degrees, borders two\n"
    "                     counties share alike (default 0.001, the resolution of\n"
    "                     the Jiangxi source; 0 keeps every vertex; synthetic: 0)\n"
    "  --threads N        OpenMP threads (default: all cores)\n"
    "  --quiet            no build log\n"
    "\n"
    "Output in DIR: townships.shp (code, name, county, cnty_code, city, kind,\n"
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
    "failed.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "towncov mapgen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'towncov mapgen --help'.\n");
    return TC_EXIT_USAGE;
}

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

static int parse_deg(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= 0 && x <= 0.1))
        return -1;
    *v = x;
    return 0;
}

/* --name VALUE or --name=VALUE; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_args(int argc, char **argv, struct mapgen_options *o, int *help)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        uint64_t x;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            *help = 1;
        else if (strcmp(a, "--quiet") == 0)
            o->verbose = 0;
        else if ((v = opt_value(argc, argv, &i, "--counties")))
            o->counties_shp = v;
        else if ((v = opt_value(argc, argv, &i, "--townships")))
            o->townships_csv = v;
        else if ((v = opt_value(argc, argv, &i, "--out")))
            o->out_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--seed")))
            if (parse_u64(v, &o->seed) != 0)
                return usage_error("--seed wants a whole number, not '%s'", v);
            else
                continue;
        else if ((v = opt_value(argc, argv, &i, "--synthetic")))
            if (parse_u64(v, &x) != 0 || x < 1 || x > (uint64_t)MAPGEN_SYNTHETIC_MAX)
                return usage_error("--synthetic wants a number of townships (1 to 1000000), "
                                   "not '%s'", v);
            else
                o->synthetic = (long)x;
        else if ((v = opt_value(argc, argv, &i, "--simplify")))
            if (parse_deg(v, &o->simplify_deg) != 0)
                return usage_error("--simplify wants degrees from 0 to 0.1, not '%s'", v);
            else
                continue;
        else if ((v = opt_value(argc, argv, &i, "--threads")))
            if (parse_u64(v, &x) != 0 || x < 1 || x > 1024)
                return usage_error("--threads wants 1 to 1024, not '%s'", v);
            else
                o->threads = (int)x;
        else
            return usage_error(strncmp(a, "--", 2) == 0 && !strchr(a, '=')
                                   && (i + 1 >= argc) ? "unknown option or missing value: %s"
                                                      : "unexpected argument: %s", a);
    }
    return 0;
}

int mapgen_main(int argc, char **argv)
{
    struct mapgen_options o = {.seed = 1, .verbose = 1, .simplify_deg = -1};
    int help = 0, rc = parse_args(argc, argv, &o, &help);
    if (rc != 0)
        return rc;
    if (o.simplify_deg < 0) /* synthetic borders are straight already */
        o.simplify_deg = o.synthetic > 0 ? 0.0 : MAPGEN_SIMPLIFY_DEG;
    if (help) {
        fputs(usage, stdout);
        return TC_EXIT_OK;
    }
    struct tc_error err = {0};
    if (mapgen_build(&o, NULL, &err) != 0) {
        if (err.exit_code == TC_EXIT_USAGE) /* options that do not go together */
            return usage_error("%s", err.msg);
        fprintf(stderr, "towncov: error: %s\n", err.msg);
        return err.exit_code ? err.exit_code : TC_EXIT_INTERNAL;
    }
    return TC_EXIT_OK;
}
