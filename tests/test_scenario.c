/* Scenario files: defaults, every kind of bad value, --set. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "towncov/scenario.h"

static char dir[256];
static char path[512];

static void write_scenario(const char *text)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, text);
}

static int load(const char *text, struct scenario *scn, struct tc_error *err)
{
    write_scenario(text);
    return scenario_load(path, NULL, 0, scn, err);
}

Test(scenario, defaults_parse_and_fill_every_key)
{
    static struct scenario scn;
    struct tc_error err = {0};
    cr_assert_eq(load("[map]\nfile = x.shp\n", &scn, &err), 0, "%s", err.msg);
    cr_assert_str_eq(scn.info.name, "unnamed");
    cr_assert_eq(scn.sites.count, 65000);
    cr_assert_eq(scn.sites.strategy, SITES_WEIGHTED);
    cr_assert_eq(scn.goal.seat_covered, 0);
    cr_assert_float_eq(scn.goal.min_covered_fraction, 0, 1e-15);
    cr_assert_float_eq(scn.goal.seat_area_min_fraction, 0.95, 1e-15);
    cr_assert_float_eq(scn.seat.radius_m[KIND_TOWN], 850, 1e-15);
    cr_assert_float_eq(scn.seat.radius_m[KIND_SUBDISTRICT], 0, 1e-15);
    cr_assert_str_eq(scn.map.code_field, "code");
    cr_assert_str_eq(scn.base_dir, dir);
}

Test(scenario, values_of_every_type)
{
    static struct scenario scn;
    struct tc_error err = {0};
    cr_assert_eq(load("[scenario]\nname = t1\nseed = 42\n[map]\nfile = m.shp\nrepair = no\n"
                      "[sites]\nstrategy = uniform\ncount = 12\n[goal]\n"
                      "min_covered_fraction = 0.25\n",
                      &scn, &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(scn.info.name, "t1");
    cr_assert_eq(scn.info.seed, 42);
    cr_assert_eq(scn.map.repair, 0);
    cr_assert_eq(scn.sites.strategy, SITES_UNIFORM);
    cr_assert_eq(scn.sites.count, 12);
    cr_assert_float_eq(scn.goal.min_covered_fraction, 0.25, 1e-15);
}

static void expect_error(const char *text, int line, const char *words)
{
    static struct scenario scn;
    struct tc_error err = {0};
    cr_assert_neq(load(text, &scn, &err), 0, "accepted: %s", text);
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO);
    char where[600];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    cr_assert(strstr(err.msg, where), "'%s' lacks '%s'", err.msg, where);
    cr_assert(strstr(err.msg, words), "'%s' lacks '%s'", err.msg, words);
}

Test(scenario, unknown_key_names_file_and_line)
{
    expect_error("[map]\nfile = x.shp\n\n[sites]\ncuont = 5\n", 5, "unknown key 'cuont'");
}

Test(scenario, unknown_section)
{
    expect_error("[map]\nfile = x.shp\n[sitez]\ncount = 5\n", 4, "unknown section [sitez]");
}

Test(scenario, wrong_types)
{
    expect_error("[map]\nfile = x.shp\n[sites]\ncount = many\n", 4, "must be an integer");
    expect_error("[map]\nfile = x.shp\n[sites]\ncount = 2.5\n", 4, "must be an integer");
    expect_error("[map]\nfile=x\n[goal]\nmin_covered_fraction = half\n", 4, "must be a number");
    expect_error("[map]\nfile=x\n[goal]\nseat_covered = maybe\n", 4, "yes or no");
    expect_error("[map]\nfile=x\n[sites]\nstrategy = random\n", 4, "must be one of");
}

Test(scenario, out_of_range)
{
    expect_error("[map]\nfile=x\n[goal]\nmin_covered_fraction = 1.5\n", 4, "out of range");
    expect_error("[map]\nfile=x\n[sites]\ncount = -3\n", 4, "out of range");
    expect_error("[map]\nfile=x\n[goal]\nmin_covered_fraction = nan\n", 4, "must be a number");
}

Test(scenario, duplicate_key)
{
    expect_error("[map]\nfile = x.shp\nfile = y.shp\n", 3, "set twice");
}

Test(scenario, syntax_error)
{
    expect_error("[map]\nfile = x.shp\nthis line has no equals sign\n", 3, "syntax");
}

Test(scenario, overlong_line_is_refused_not_cut)
{
    char text[600];
    snprintf(text, sizeof text, "[map]\nfile = %0250d.shp\n", 7);
    expect_error(text, 2, "longer than");
}

Test(scenario, set_overrides_file)
{
    static struct scenario scn;
    struct tc_error err = {0};
    write_scenario("[map]\nfile = x.shp\n[sites]\ncount = 10\n");
    const char *sets[] = {"sites.count=20", "scenario.name=over"};
    cr_assert_eq(scenario_load(path, sets, 2, &scn, &err), 0, "%s", err.msg);
    cr_assert_eq(scn.sites.count, 20);
    cr_assert_str_eq(scn.info.name, "over");
}

Test(scenario, set_errors_name_the_argument)
{
    static struct scenario scn;
    struct tc_error err = {0};
    write_scenario("[map]\nfile = x.shp\n");
    const char *bad_key[] = {"sites.nope=1"};
    cr_assert_neq(scenario_load(path, bad_key, 1, &scn, &err), 0);
    cr_assert(strstr(err.msg, "--set sites.nope=1"), "%s", err.msg);
    const char *bad_value[] = {"sites.count=x"};
    cr_assert_neq(scenario_load(path, bad_value, 1, &scn, &err), 0);
    cr_assert(strstr(err.msg, "must be an integer"), "%s", err.msg);
    const char *no_dot[] = {"count=3"};
    cr_assert_neq(scenario_load(path, no_dot, 1, &scn, &err), 0);
    cr_assert_eq(err.exit_code, TC_EXIT_USAGE);
}

Test(scenario, missing_file)
{
    static struct scenario scn;
    struct tc_error err = {0};
    cr_assert_neq(scenario_load("/nonexistent/x.ini", NULL, 0, &scn, &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent/x.ini"), "%s", err.msg);
}

Test(scenario, file_strategy_needs_file)
{
    static struct scenario scn;
    struct tc_error err = {0};
    cr_assert_neq(load("[map]\nfile=x\n[sites]\nstrategy = file\n", &scn, &err), 0);
    cr_assert(strstr(err.msg, "sites.file"), "%s", err.msg);
}

Test(scenario, shipped_scenarios_parse)
{
    static struct scenario scn;
    struct tc_error err = {0};
    const char *files[] = {"scenarios/jiangxi-65k.ini", "scenarios/jiangxi-n78-only.ini",
                           "scenarios/jiangxi-n28-only.ini"};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(scenario_load(files[i], NULL, 0, &scn, &err), 0, "%s", err.msg);
        cr_assert_eq(scn.sites.count, 65000);
        cr_assert_eq(scn.radio.model, RADIO_LINK);
    }
}

Test(scenario, key_reference_lists_every_section)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    scenario_print_keys(f);
    fclose(f);
    const char *sections[] = {"[scenario]", "[map]", "[sites]", "[radio]", "[coverage]",
                              "[goal]", "[output]"};
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        cr_assert(strstr(buf, sections[i]), "no %s", sections[i]);
    cr_assert(strstr(buf, "| `count` | integer | `65000` |"), "%s", buf);
    free(buf);
}

/* towncov-scenario(5) holds every key of the tables (generated by make
 * docs; test_cli.c checks the whole page is current). */
Test(scenario, man_page_documents_every_key)
{
    char *page = fx_read_file("man/towncov-scenario.5", NULL);
    cr_assert_not_null(page);
    const struct key_desc *d;
    size_t i = 0;
    for (; (d = scenario_key_at(i)); i++) {
        char want[256] = "\\fB";
        for (const char *p = d->name; *p; p++)
            strcat(want, *p == '-' ? "\\-" : (char[]){*p, 0});
        strcat(want, "\\fR (");
        cr_assert(strstr(page, want), "towncov-scenario.5 lacks (run make docs): %s.%s",
                  d->section, d->name);
    }
    cr_assert_gt(i, 100, "the key tables hold every key");
    free(page);
}
