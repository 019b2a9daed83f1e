/* `towncov plan` on hand-made maps: how many stations each case needs,
 * unfixable townships, --max-added, the bound, the planned scenario
 * re-run, thread independence and bad input. Stations are discs of 1000 m
 * and seat areas discs of 500 m around the seats (fixture metres). */
#include <criterion/criterion.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* fx_row: two far-apart failing townships (1, 2), one already covered (3)
 * and, when with_far is set, one no candidate of cands() reaches (4). */

/* Two neighbours whose seat areas one station between them covers. */
static const struct fx_township pair[] = {
    {"1", "west", "c", "town", FX_SQUARE(-4000, -2000, 0, 2000), -300, 0},
    {"2", "east", "c", "town", FX_SQUARE(0, -2000, 4000, 2000), 300, 0},
    {"3", "other", "c", "town", FX_SQUARE(10000, -2000, 14000, 2000), 12000, 0}};

static void setup(const struct fx_township *t, int n, const double *sites, int n_sites)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, n);
    fx_write_sites(fx_path(dir, "sites.csv"), "s", sites, n_sites);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = plan\n[map]\nfile = map.shp\n[sites]\n"
                        "strategy = file\nfile = sites.csv\n[radio]\nvertices = 64\n"
                        "radius_town_m = 1000\n[goal]\nseat_radius_town_m = 500\n");
}

static int plan(const char *more)
{
    char args[2048];
    snprintf(args, sizeof args, "plan %s/s.ini --out %s/plan %s", dir, dir, more);
    return fx_run(args, out, sizeof out);
}

/* A number from plan.json ("key": N); -1 when null or absent. */
static double json_number(const char *key)
{
    char path[512], pat[128];
    snprintf(path, sizeof path, "%s/plan/plan.json", dir);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text, "no plan.json: %s", out);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    char *p = strstr(text, pat);
    double v = p && strncmp(p + strlen(pat), "null", 4) != 0 ? atof(p + strlen(pat)) : -1;
    free(text);
    return v;
}

static int json_count(const char *needle)
{
    char path[512];
    snprintf(path, sizeof path, "%s/plan/plan.json", dir);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text);
    int n = 0;
    for (char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    free(text);
    return n;
}

static void assert_bound_at_most_added(void)
{
    double bound = json_number("lower_bound"), added = json_number("added");
    cr_assert(bound >= 0, "no bound: %s", out);
    cr_assert(bound <= added, "bound %g above the %g added", bound, added);
}

static const double existing[] = {0, 0};

Test(plan, two_townships_two_own_candidates)
{
    setup(fx_row, 3, existing, 1);
    const double c[] = {-8000, 0, 8000, 0, 0, 1500};
    fx_write_sites(fx_path(dir, "cand.csv"), "c", c, 3);
    char more[512];
    snprintf(more, sizeof more, "--candidates %s/cand.csv --threads 2", dir);
    cr_assert_eq(plan(more), 0, "%s", out);
    cr_assert_eq(json_number("failing_before"), 2, "%s", out);
    cr_assert_eq(json_number("added"), 2, "%s", out);
    cr_assert_eq(json_count("\"fixed\""), 2);
    assert_bound_at_most_added();
    cr_assert(strstr(out, "check (towncov run planned.ini): goal met"), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/plan/added_sites.csv", dir);
    char *added = fx_read_file(path, NULL);
    cr_assert(added && strstr(added, "c1,") && strstr(added, "c2,") && !strstr(added, "c3,"),
              "%s", added);
    free(added);
}

Test(plan, one_candidate_fixes_both)
{
    setup(pair, 3, (const double[]){12000, 0}, 1);
    const double c[] = {-300, 0, 300, 0, 1, 0};
    fx_write_sites(fx_path(dir, "cand.csv"), "c", c, 3);
    char more[512];
    snprintf(more, sizeof more, "--candidates %s/cand.csv", dir);
    cr_assert_eq(plan(more), 0, "%s", out);
    cr_assert_eq(json_number("added"), 1, "%s", out);
    assert_bound_at_most_added();
    cr_assert_eq(json_number("mip_optimum"), 1, "%s", out); /* one component, solved */
    cr_assert_eq(json_number("components_optimal"), 1, "%s", out);
}

Test(plan, township_no_candidate_reaches_is_unfixable)
{
    setup(fx_row, 4, existing, 1);
    const double c[] = {-8000, 0, 8000, 0};
    fx_write_sites(fx_path(dir, "cand.csv"), "c", c, 2);
    char more[512];
    snprintf(more, sizeof more, "--candidates %s/cand.csv", dir);
    cr_assert_eq(plan(more), 0, "%s", out);
    cr_assert_eq(json_number("added"), 2, "%s", out);
    cr_assert_eq(json_number("unfixable"), 1, "%s", out);
    cr_assert_eq(json_count("\"unfixable\""), 2); /* the count and township 4's status */
    cr_assert(strstr(out, "goal NOT met"), "%s", out);
}

Test(plan, max_added_one_fixes_one)
{
    setup(fx_row, 3, existing, 1);
    const double c[] = {-8000, 0, 8000, 0};
    fx_write_sites(fx_path(dir, "cand.csv"), "c", c, 2);
    char more[512];
    snprintf(more, sizeof more, "--candidates %s/cand.csv --max-added 1", dir);
    cr_assert_eq(plan(more), 0, "%s", out);
    cr_assert_eq(json_number("added"), 1, "%s", out);
    cr_assert_eq(json_count("\"fixed\""), 1);
    cr_assert_eq(json_count("\"not fixed\""), 1);
}

Test(plan, planned_scenario_meets_the_goal_when_run)
{
    setup(fx_row, 4, existing, 1);
    cr_assert_eq(plan("--threads 2 --quiet"), 0, "%s", out); /* the lattice */
    cr_assert(json_number("added") >= 3, "%s", out);
    assert_bound_at_most_added();
    char args[1024];
    snprintf(args, sizeof args, "run %s/plan/planned.ini --quiet --fail-on-goal --out %s/rerun",
             dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "planned.ini fails the goal: %s", out);
}

Test(plan, same_added_sites_for_one_and_two_threads)
{
    setup(fx_row, 4, existing, 1);
    char args[1024], a[512], b[512];
    snprintf(args, sizeof args, "plan %s/s.ini --quiet --threads 1 --spacing 300 --out %s/t1",
             dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "plan %s/s.ini --quiet --threads 2 --spacing 300 --out %s/t2",
             dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(a, sizeof a, "%s/t1/added_sites.csv", dir);
    snprintf(b, sizeof b, "%s/t2/added_sites.csv", dir);
    size_t la, lb;
    char *x = fx_read_file(a, &la), *y = fx_read_file(b, &lb);
    cr_assert(x && y);
    cr_assert(la == lb && memcmp(x, y, la) == 0, "added sites differ:\n%s\n---\n%s", x, y);
    free(x);
    free(y);
}

Test(plan, goal_already_met_writes_an_empty_plan)
{
    setup(fx_row + 2, 1, existing, 1);
    cr_assert_eq(plan(""), 0, "%s", out);
    cr_assert(strstr(out, "nothing to add"), "%s", out);
    cr_assert_eq(json_number("added"), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/plan/added_sites.csv", dir);
    char *added = fx_read_file(path, NULL);
    cr_assert_str_eq(added, "id,lon,lat,height_m,power_dbm,azimuths,tilt_deg\n");
    free(added);
}

Test(plan, bad_candidates_file_names_file_and_line)
{
    setup(fx_row, 3, existing, 1);
    char path[512], more[1024];
    snprintf(path, sizeof path, "%s/cand.csv", dir);
    fx_write_text(path, "id,lon,lat\nc1,0.01,0\nc2,east,0\n");
    snprintf(more, sizeof more, "--candidates %s", path);
    cr_assert_eq(plan(more), 5, "%s", out);
    cr_assert(strstr(out, "cand.csv:3"), "%s", out);
}

Test(plan, bad_options_exit_2)
{
    setup(fx_row, 3, existing, 1);
    cr_assert_eq(plan("--spacing -5"), 2, "%s", out);
    cr_assert_eq(plan("--spacing abc"), 2, "%s", out);
    cr_assert_eq(plan("--max-added 0"), 2, "%s", out);
    cr_assert_eq(plan("--max-added 1.5"), 2, "%s", out);
}

Test(plan, set_overrides_reach_planned_ini_and_the_folder_is_replaceable)
{
    setup(fx_row, 3, existing, 1);
    cr_assert_eq(plan("--quiet --set goal.seat_area_min_fraction=0.5"), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/plan/planned.ini", dir);
    char *ini = fx_read_file(path, NULL);
    cr_assert(ini && strstr(ini, "seat_area_min_fraction = 0.5\n") &&
                  strstr(ini, "strategy = file\n") && strstr(ini, "file = planned_sites.csv\n"),
              "%s", ini);
    free(ini);
    snprintf(path, sizeof path, "%s/plan/check/townships.csv", dir);
    char *check = fx_read_file(path, NULL);
    cr_assert_not_null(check, "no check run");
    free(check);
    cr_assert_eq(plan("--quiet"), 0, "a second plan into the same folder: %s", out);
}

Test(plan, added_sites_layer_style_and_project)
{
    setup(fx_row, 3, existing, 1);
    const double c[] = {-8000, 0, 8000, 0, 0, 1500};
    fx_write_sites(fx_path(dir, "cand.csv"), "c", c, 3);
    char more[512], path[512];
    snprintf(more, sizeof more, "--candidates %s/cand.csv --quiet", dir);
    cr_assert_eq(plan(more), 0, "%s", out);
    snprintf(path, sizeof path, "%s/plan/added_sites", dir);
    DBFHandle dbf = DBFOpen(path, "rb");
    SHPHandle shp = SHPOpen(path, "rb");
    cr_assert(dbf && shp, "no added_sites.shp");
    int n = 0, type = 0;
    SHPGetInfo(shp, &n, &type, NULL, NULL);
    cr_assert_eq(n, 2);
    cr_assert_eq(type, SHPT_POINT);
    cr_assert_eq(DBFGetRecordCount(dbf), 2);
    int fid = DBFGetFieldIndex(dbf, "id"), fcode = DBFGetFieldIndex(dbf, "code"),
        ffix = DBFGetFieldIndex(dbf, "fixes");
    cr_assert(fid >= 0 && fcode >= 0 && ffix >= 0 && DBFGetFieldIndex(dbf, "kind") >= 0);
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 0, fid), "c1");
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 1, fid), "c2");
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 0, fcode), "1");
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 1, ffix), "2");
    /* in the map's CRS (fixture metres): candidate c1 at (-8000, 0) */
    SHPObject *o = SHPReadObject(shp, 0);
    cr_assert(o && fabs(o->padfX[0] + 8000) < 1e-3 && fabs(o->padfY[0]) < 1e-3, "%g %g",
              o ? o->padfX[0] : 0, o ? o->padfY[0] : 0);
    SHPDestroyObject(o);
    SHPClose(shp);
    DBFClose(dbf);
    snprintf(path, sizeof path, "%s/plan/added_sites.prj", dir);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text);
    free(text);
    snprintf(path, sizeof path, "%s/plan/added_sites.qml", dir);
    text = fx_read_file(path, NULL);
    cr_assert(text && strstr(text, "\"star\""), "%s", text);
    free(text);
    snprintf(path, sizeof path, "%s/plan/plan.qgs", dir);
    text = fx_read_file(path, NULL);
    cr_assert(text && strstr(text, "<datasource>./added_sites.shp</datasource>") &&
                  strstr(text, "<datasource>./check/townships.shp</datasource>") &&
                  strstr(text, "&quot;code&quot; IN ('1', '2')"),
              "%s", text);
    free(text);
    snprintf(path, sizeof path, "%s/plan/check/townships.shp", dir);
    text = fx_read_file(path, NULL);
    cr_assert_not_null(text, "the project's townships layer is missing");
    free(text);
    /* check/map.png marks the added stations: the same run without the
     * marks (planned.ini run again) draws another picture */
    char args[1024], other[512];
    snprintf(args, sizeof args, "run %s/plan/planned.ini --quiet --out %s/rerun", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/plan/check/map.png", dir);
    snprintf(other, sizeof other, "%s/rerun/map.png", dir);
    size_t la = 0, lb = 0;
    char *x = fx_read_file(path, &la), *y = fx_read_file(other, &lb);
    cr_assert(x && y, "no map.png");
    cr_assert(la != lb || memcmp(x, y, la) != 0, "the added stations are not marked");
    free(x);
    free(y);
}
