/* Ids and codes with a comma, a quote or a line break ("Nanchang, east",
 * the README's own example) in the CSV files plan and sweep write: quoted
 * as RFC 4180 says, so that towncov (and any CSV reader) reads them back;
 * the plan's check run reads its own planned_sites.csv. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/csv.h"

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* dir/name (fx_path: rotating buffers). */
#define at(name) fx_path(dir, "%s", name)

Test(csv_ids, csv_quote_is_what_the_reader_reads_back)
{
    const char *texts[] = {"plain", "Nanchang, east", "say \"hi\"", "two\nlines", "cr\rhere",
                           ""};
    fx_tmpdir(dir, sizeof dir);
    char csv[1024] = "id,n\n";
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char field[64];
        size_t n = csv_quote(field, texts[i]);
        cr_assert_eq(n, strlen(field));
        cr_assert(n <= CSV_QUOTED_MAX(strlen(texts[i])));
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%s,%zu\n", field, i);
    }
    cr_assert(strstr(csv, "\n\"Nanchang, east\",1\n\"say \"\"hi\"\"\",2\n"), "%s", csv);
    fx_write_text(at("q.csv"), csv);
    struct tc_error err = {0};
    struct csv_options opt = {.encoding = "UTF-8", .exit_code = TC_EXIT_SITES};
    struct csv_reader *r = csv_open(at("q.csv"), &opt, &err);
    cr_assert_not_null(r, "%s", err.msg);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        if (!texts[i][0])
            continue; /* a blank record is skipped by the reader */
        cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
        cr_assert_str_eq(csv_field(r, 0), texts[i]);
    }
    csv_close(&r);
}

/* Two failing townships; candidates (and the existing station) whose ids
 * hold a comma, a quote and a line break. */
Test(csv_ids, plan_quotes_ids_and_its_check_run_reads_them_back)
{
    fx_tmpdir(dir, sizeof dir);
    fx_write_map(at("map"), fx_row, 3); /* west, east, middle */
    double lon[4], lat[4];
    const double xy[] = {0, 0, -8000, 0, 8000, 0, 0, 1500};
    for (int i = 0; i < 4; i++)
        fx_to_lonlat(xy[2 * i], xy[2 * i + 1], &lon[i], &lat[i]);
    char csv[1024];
    snprintf(csv, sizeof csv, "id,lon,lat\n\"old, one\",%.12f,%.12f\n", lon[0], lat[0]);
    fx_write_text(at("sites.csv"), csv);
    snprintf(csv, sizeof csv, "id,lon,lat\n\"Nanchang, east\",%.12f,%.12f\n"
             "\"two\nlines \"\"q\"\"\",%.12f,%.12f\nspare,%.12f,%.12f\n", lon[1], lat[1],
             lon[2], lat[2], lon[3], lat[3]);
    fx_write_text(at("cand.csv"), csv);
    fx_write_text(at("s.ini"), "[scenario]\nname = ids\n[map]\nfile = map.shp\n[sites]\n"
                               "strategy = file\nfile = sites.csv\n[radio]\nvertices = 64\n"
                               "radius_town_m = 1000\n[goal]\nseat_radius_town_m = 500\n");
    char args[2048];
    snprintf(args, sizeof args, "plan %s --out %s --candidates %s --threads 2", at("s.ini"),
             at("plan"), at("cand.csv"));
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "check (towncov run planned.ini): goal met"), "%s", out);
    char *planned = fx_read_file(at("plan/planned_sites.csv"), NULL);
    cr_assert_not_null(planned);
    cr_assert(strstr(planned, "\n\"old, one\",") && strstr(planned, "\n\"Nanchang, east\",") &&
              strstr(planned, "\n\"two\nlines \"\"q\"\"\","), "%s", planned);
    free(planned);
    char *added = fx_read_file(at("plan/added_sites.csv"), NULL);
    cr_assert(added && strstr(added, "\n\"Nanchang, east\","), "%s", added);
    free(added);
}

/* A township code with a comma, in sweep_townships.csv. */
Test(csv_ids, sweep_quotes_township_codes)
{
    fx_tmpdir(dir, sizeof dir);
    const struct fx_township t[] = {
        {"1,a", "west", "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
        {"2\"b", "east", "c", "township", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
    fx_write_map(at("map"), t, 2);
    fx_write_text(at("s.ini"), "[scenario]\nname = ids\n[map]\nfile = map.shp\n[sites]\n"
                               "strategy = uniform\ncount = 3\n[radio]\nvertices = 16\n");
    char args[2048];
    snprintf(args, sizeof args, "sweep %s --quiet --out %s --vary sites.count=2,3", at("s.ini"),
             at("sw"));
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    char *rows = fx_read_file(at("sw/sweep_townships.csv"), NULL);
    cr_assert_not_null(rows);
    cr_assert(strstr(rows, "\n0,\"1,a\",") && strstr(rows, "\n1,\"2\"\"b\","), "%s", rows);
    free(rows);
}
