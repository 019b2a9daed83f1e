/* Placement: counts by strategy, every site inside its township, the same
 * sites for any number of threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

static struct tc_map *map;
static struct scenario scn;

/* Four 20 km squares, one of each kind; the subdistrict is an L shape so
 * rejection sampling has something to reject. */
static void setup(void)
{
    static const struct fx_township t[] = {
        {"11", "sw", "a", "subdistrict",
         "POLYGON((-20000 -20000, 0 -20000, 0 -10000, -10000 -10000, -10000 0, -20000 0, "
         "-20000 -20000))", -15000, -15000},
        {"12", "se", "a", "town", "POLYGON((0 -20000, 20000 -20000, 20000 0, 0 0, 0 -20000))",
         10000, -10000},
        {"21", "nw", "b", "township", "POLYGON((-20000 0, 0 0, 0 20000, -20000 20000, -20000 0))",
         -10000, 10000},
        {"22", "ne", "b", "special", "POLYGON((0 0, 20000 0, 20000 20000, 0 20000, 0 0))", 10000,
         10000}};
    char dir[256], base[300];
    fx_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/map", dir);
    fx_write_map(base, t, 4);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    struct tc_error err;
    map = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(map, "%s", err.msg);
}

static void teardown(void)
{
    map_free(&map);
}

static long count_in(const struct tc_sites *s, int t)
{
    long n = 0;
    for (long i = 0; i < s->n; i++)
        n += s->township[i] == t;
    return n;
}

Test(sites, weighted_counts_follow_area_times_weight, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 1300;
    struct tc_sites *s = sites_place(&scn.sites, map, 1, NULL, 2, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 1300);
    /* weights 8, 2, 1, 1 on areas 3, 4, 4, 4 (x 1e8 m2): 24+8+4+4 = 40 */
    cr_assert_eq(count_in(s, 0), 780);
    cr_assert_eq(count_in(s, 1), 260);
    cr_assert_eq(count_in(s, 2), 130);
    cr_assert_eq(count_in(s, 3), 130);
    sites_free(&s);
}

Test(sites, every_site_stands_in_its_township, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 2000;
    scn.sites.strategy = SITES_UNIFORM;
    struct tc_sites *s = sites_place(&scn.sites, map, 99, NULL, 2, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(map, ctx);
    for (long i = 0; i < s->n; i++)
        cr_assert_eq(map_locate(loc, s->x[i], s->y[i]), s->township[i], "site %ld", i);
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    /* uniform: proportional to area 3:4:4:4 */
    cr_assert_eq(count_in(s, 0), 400);
    sites_free(&s);
}

Test(sites, seats_first_then_weighted, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 10;
    scn.sites.strategy = SITES_SEATS;
    struct tc_sites *s = sites_place(&scn.sites, map, 1, NULL, 1, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    /* at the seat, to PROJ's round trip (a station stands where its lon,
     * lat project to: sites.h; here that moves it by about 2e-5 m, 1.5 mm on
     * the Jiangxi map) */
    for (int t = 0; t < 4; t++) {
        cr_assert_float_eq(s->x[t], map->t[t].seat_x, 1e-3);
        cr_assert_float_eq(s->y[t], map->t[t].seat_y, 1e-3);
    }
    sites_free(&s);
    scn.sites.count = 3;
    cr_assert_null(sites_place(&scn.sites, map, 1, NULL, 1, NULL, &err));
    cr_assert(strstr(err.msg, "sites.count >= 4"), "%s", err.msg);
}

Test(sites, same_sites_for_any_thread_count_and_seed_matters, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 5000;
    struct tc_sites *a = sites_place(&scn.sites, map, 5, NULL, 1, NULL, &err);
    struct tc_sites *b = sites_place(&scn.sites, map, 5, NULL, 2, NULL, &err);
    struct tc_sites *c = sites_place(&scn.sites, map, 6, NULL, 2, NULL, &err);
    cr_assert(a && b && c);
    cr_assert(memcmp(a->x, b->x, sizeof(double) * 5000) == 0);
    cr_assert(memcmp(a->lat, b->lat, sizeof(double) * 5000) == 0);
    cr_assert(memcmp(a->x, c->x, sizeof(double) * 5000) != 0);
    sites_free(&a);
    sites_free(&b);
    sites_free(&c);
}

/* A country's millions of stations get their lon/lat (and x, y back
 * through them) in one slice a thread: every array the same to the last
 * bit as one pass, whatever the threads. */
Test(sites, lonlat_slices_give_the_same_doubles_as_one_pass, .init = setup, .fini = teardown)
{
    struct tc_error err;
    const long n = 200000; /* three slices of at least 65,536 at 3 threads */
    scn.sites.count = n;
    struct tc_sites *a = sites_place(&scn.sites, map, 7, NULL, 1, NULL, &err);
    cr_assert_not_null(a, "%s", err.msg);
    for (int threads = 2; threads <= 3; threads++) {
        struct tc_sites *b = sites_place(&scn.sites, map, 7, NULL, threads, NULL, &err);
        cr_assert_not_null(b, "%s", err.msg);
        size_t bytes = sizeof(double) * (size_t)n;
        cr_assert(memcmp(a->x, b->x, bytes) == 0 && memcmp(a->y, b->y, bytes) == 0);
        cr_assert(memcmp(a->lon, b->lon, bytes) == 0 && memcmp(a->lat, b->lat, bytes) == 0);
        sites_free(&b);
    }
    /* and they are the map's inverse projection of x, y */
    struct map_proj *p = map_proj_new(map, &err);
    cr_assert_not_null(p, "%s", err.msg);
    for (long i = 0; i < n; i += 9973) {
        double x = a->x[i], y = a->y[i];
        cr_assert_eq(map_proj_trans(p, 1, &x, &y, 1), 0);
        cr_assert(fabs(x - a->lon[i]) < 1e-9 && fabs(y - a->lat[i]) < 1e-9, "station %ld", i);
    }
    map_proj_free(&p);
    sites_free(&a);
}

/* ---- sites files: what spreadsheets and other tools write ---------------- */

static char csv_dir[256], csv_path[300];

static void csv_setup(void)
{
    scenario_defaults(&scn);
    fx_tmpdir(csv_dir, sizeof csv_dir);
    snprintf(csv_path, sizeof csv_path, "%s/sites.csv", csv_dir);
}

static void csv_teardown(void)
{
    remove(csv_path);
    remove(csv_dir);
}

static void write_csv(const char *bytes, size_t len)
{
    FILE *f = fopen(csv_path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

#define WRITE_CSV(lit) write_csv(lit, sizeof lit - 1)

/* Reads csv_path with scn.sites; the notes written go to notes (size
 * bytes). NULL with err set on a refusal. */
static struct tc_sites *read_sites(char *notes, size_t size, struct tc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *warn = open_memstream(&buf, &len);
    cr_assert_not_null(warn);
    struct tc_sites *s = sites_read_csv(csv_path, &scn.sites, warn, err);
    fclose(warn);
    snprintf(notes, size, "%s", buf);
    free(buf);
    return s;
}

static int count_lines_with(const char *text, const char *word)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, word)); p += strlen(word))
        n++;
    return n;
}

Test(sites, excel_csv_with_bom_crlf_and_quotes, .init = setup, .fini = teardown)
{
    double lon[2], lat[2];
    fx_to_lonlat(-15000, -15000, &lon[0], &lat[0]); /* in sw, township 0 */
    fx_to_lonlat(10000, 10000, &lon[1], &lat[1]);   /* in ne, township 3 */
    char dir[256], path[300], text[1024];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/excel.csv", dir);
    int len = snprintf(text, sizeof text,
                       "\xEF\xBB\xBFid,lon,lat,height_m,azimuths\r\n"
                       "\"A,1\",%.9f,%.9f,30,\"0;120;240\"\r\n"
                       "\"B \"\"north\"\"\",\"%.9f\",%.9f,,\r\n\r\n",
                       lon[0], lat[0], lon[1], lat[1]);
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, (size_t)len, f);
    fclose(f);
    scn.sites.strategy = SITES_FILE;
    snprintf(scn.sites.file, sizeof scn.sites.file, "%s", path);
    struct tc_error err;
    struct tc_sites *s = sites_place(&scn.sites, map, 1, NULL, 1, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->id[0], "A,1");
    cr_assert_str_eq(s->id[1], "B \"north\"");
    cr_assert_float_eq(s->lon[0], lon[0], 1e-9);
    cr_assert_float_eq(s->lat[1], lat[1], 1e-9);
    cr_assert_float_eq(s->x[0], -15000, 1e-2);
    cr_assert_float_eq(s->y[1], 10000, 1e-2);
    cr_assert_eq(s->township[0], 0);
    cr_assert_eq(s->township[1], 3);
    cr_assert_eq(s->radio[0].height_m, 30);
    cr_assert_eq(s->radio[0].n_azimuths, 3);
    cr_assert_eq(s->radio[0].azimuth_deg[2], 240);
    cr_assert(isnan(s->radio[1].height_m));
    cr_assert_eq(s->radio[1].n_azimuths, 0);
    sites_free(&s);
    remove(path);
    remove(dir);
}

/* 南昌一号 and 赣州站 in GBK, as Excel saves on Chinese Windows. */
Test(sites, gbk_csv_gives_utf8_ids, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("id,lon,lat\r\n\xC4\xCF\xB2\xFD\xD2\xBB\xBA\xC5,115.9,28.7\r\n"
              "\xB8\xD3\xD6\xDD\xD5\xBE,114.9,25.8\r\n");
    char notes[1024];
    struct tc_error err;
    struct tc_sites *s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->id[0], "南昌一号");
    cr_assert_str_eq(s->id[1], "赣州站");
    cr_assert_float_eq(s->lat[1], 25.8, 1e-12);
    sites_free(&s);
    /* Named as UTF-8, the same bytes are refused, with the line. */
    snprintf(scn.sites.encoding, sizeof scn.sites.encoding, "utf-8");
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SITES);
    cr_assert(strstr(err.msg, "sites.csv:2: column 'id' is not valid UTF-8 text; set "
                     "sites.encoding"), "%s", err.msg);
}

Test(sites, headers_by_name_in_any_order_and_case, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("LAT,Longitude,ID\n28.5,115.5,s1\n-1.25,-2.5,s2\n");
    char notes[1024];
    struct tc_error err;
    struct tc_sites *s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->id[0], "s1");
    cr_assert_eq(s->lon[0], 115.5);
    cr_assert_eq(s->lat[0], 28.5);
    cr_assert_eq(s->lon[1], -2.5);
    cr_assert_str_eq(notes, "", "every column used: no note");
    sites_free(&s);
}

Test(sites, lng_and_latitude_synonyms, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("id,lng,latitude\na,113.25,23.125\n");
    char notes[1024];
    struct tc_error err;
    struct tc_sites *s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->lon[0], 113.25);
    cr_assert_eq(s->lat[0], 23.125);
    sites_free(&s);
    /* Two longitudes (WGS 84 and GCJ-02, say) are not guessed between... */
    WRITE_CSV("id,lon,lat,lng\na,113.25,23.125,113.26\n");
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert(strstr(err.msg, "both 'lon' and 'lng' columns in the header: "
                              "\"id,lon,lat,lng\"; set sites.lon_field"), "%s", err.msg);
    /* ...unless sites.lon_field picks one. */
    snprintf(scn.sites.lon_field, sizeof scn.sites.lon_field, "lng");
    s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->lon[0], 113.26);
    cr_assert(strstr(notes, "1 column not used: lon\n"), "%s", notes);
    sites_free(&s);
}

Test(sites, unknown_columns_ignored_with_one_note, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("owner,id,lon,lat,Height_M,colour,\nx,a,1,2,25,red,\ny,b,3,4,,blue,\n");
    char notes[1024];
    struct tc_error err;
    struct tc_sites *s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->id[1], "b");
    cr_assert_eq(s->radio[0].height_m, 25, "Height_M is height_m");
    cr_assert_eq(count_lines_with(notes, "\n"), 1, "one note: %s", notes);
    char want[512];
    snprintf(want, sizeof want, "towncov: note: %s: 3 columns not used: owner, colour, "
             "(column 7, no name)\n", csv_path);
    cr_assert_str_eq(notes, want);
    sites_free(&s);
}

Test(sites, opencellid_export_with_id_field_and_filter, .init = csv_setup,
     .fini = csv_teardown)
{
    WRITE_CSV("radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
              "averageSignal\n"
              "GSM,460,0,9522,21513,0,115.89,28.68,1000,5,1,1459692000,1459692000,0\n"
              "NR,460,0,9522,5764608923,0,115.90,28.69,500,3,1,1600000000,1600000000,0\n"
              "LTE,460,1,28688,119830786,0,115.91,28.70,800,12,1,1500000000,1500000000,0\n"
              "nr,460,1,28688,5764608924,0,115.92,28.71,600,2,1,1600000000,1600000000,0\n"
              "UMTS,460,1,28688,99,0,,,600,2,1,1600000000,1600000000,0\n");
    snprintf(scn.sites.id_field, sizeof scn.sites.id_field, "cell");
    snprintf(scn.sites.filter, sizeof scn.sites.filter, "radio=NR");
    char notes[2048];
    struct tc_error err;
    struct tc_sites *s = read_sites(notes, sizeof notes, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2, "the NR rows only (case-insensitive)");
    cr_assert_str_eq(s->id[0], "5764608923");
    cr_assert_str_eq(s->id[1], "5764608924");
    cr_assert_eq(s->lon[1], 115.92);
    cr_assert_eq(s->lat[0], 28.69);
    cr_assert(strstr(notes, "sites.filter radio=NR kept 2 rows, skipped 3\n"), "%s", notes);
    cr_assert(strstr(notes, "10 columns not used: mcc, net, area, unit, range, samples, "
                            "changeable, created, updated, averageSignal\n"), "%s", notes);
    cr_assert_eq(count_lines_with(notes, "\n"), 2, "%s", notes);
    sites_free(&s);
    /* A filter column the file lacks quotes the header. */
    snprintf(scn.sites.filter, sizeof scn.sites.filter, "tech=NR");
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert(strstr(err.msg, ":1: no column 'tech' (from sites.filter) in the header: "
                              "\"radio,mcc,net,"), "%s", err.msg);
}

Test(sites, missing_column_quotes_the_header, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("id,lng,lattitude\na,1,2\n");
    char notes[1024], want[600];
    struct tc_error err;
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SITES);
    snprintf(want, sizeof want, "%s:1: no column 'lat' (or latitude) in the header: "
             "\"id,lng,lattitude\"; set sites.lat_field", csv_path);
    cr_assert_str_eq(err.msg, want);
    WRITE_CSV("name;lon;lat\na;1;2\n");
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert(strstr(err.msg, "no column 'id' in the header: \"name;lon;lat\"; set "
                              "sites.id_field (the header is one column"), "%s", err.msg);
}

Test(sites, repeated_id_names_both_physical_lines, .init = csv_setup, .fini = csv_teardown)
{
    WRITE_CSV("id,lon,lat,note\n\na,1,1,\"two\nlines\"\nb,2,2,\na,3,3,\n");
    char notes[1024];
    struct tc_error err;
    cr_assert_null(read_sites(notes, sizeof notes, &err));
    cr_assert(strstr(err.msg, "site id 'a' appears twice (lines 3 and 6)"), "%s", err.msg);
}

/* A generated placement written as a sites file with 17-digit lon, lat (as
 * the plan's planned_sites.csv is) reads back as the very same stations:
 * the same x, y doubles, so a run of the file judges what the generating
 * run judged (the plan's check run failed on a 3e-7 difference once). */
Test(sites, generated_stations_read_back_exactly_from_a_17_digit_file, .init = setup,
     .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 2000;
    struct tc_sites *g = sites_place(&scn.sites, map, 3, NULL, 2, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    char dir[256], path[300];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/planned_sites.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("id,lon,lat\n", f);
    for (long i = 0; i < g->n; i++)
        fprintf(f, "%ld,%.17g,%.17g\n", i + 1, g->lon[i], g->lat[i]);
    cr_assert_eq(fclose(f), 0);
    scn.sites.strategy = SITES_FILE;
    snprintf(scn.sites.file, sizeof scn.sites.file, "%s", path);
    struct tc_sites *r = sites_place(&scn.sites, map, 3, NULL, 2, NULL, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(r->n, g->n);
    long moved = 0;
    for (long i = 0; i < g->n; i++) {
        moved += r->x[i] != g->x[i] || r->y[i] != g->y[i];
        cr_assert_eq(r->township[i], g->township[i], "station %ld", i + 1);
    }
    cr_assert_eq(moved, 0, "%ld of %ld stations moved on the round trip", moved, g->n);
    sites_free(&g);
    sites_free(&r);
}
