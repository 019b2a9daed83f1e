/* The members of a sweep: every ${...} form, --vary, repeat, the constraint,
 * and each error with its FILE:LINE (README "Sweep syntax"). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "towncov/sweep_space.h"

static char dir[256];
static char path[512];

static struct sweep_space *build(const char *text, const char *const *vary, int n_vary,
                                 long repeat, struct tc_error *err)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, text);
    return sweep_space_new(path, vary, n_vary, repeat, err);
}

static struct sweep_space *good(const char *text, const char *const *vary, int n_vary,
                                long repeat)
{
    struct tc_error err = {0};
    struct sweep_space *sp = build(text, vary, n_vary, repeat, &err);
    cr_assert_not_null(sp, "refused: %s", err.msg);
    return sp;
}

/* Key k takes exactly the values want[0..n-1], member by member. */
static void expect_values(const struct sweep_space *sp, int k, const char *const *want, long n)
{
    cr_assert_eq(sweep_space_count(sp), n, "count %ld, want %ld", sweep_space_count(sp), n);
    for (long m = 0; m < n; m++)
        cr_assert_str_eq(sweep_space_value(sp, m, k), want[m], "member %ld", m);
}

/* Refused with exit 3 and a message holding `where` (":LINE:" after the
 * scenario's path when line > 0, else as given) and `words` (a format:
 * %s stands for the scenario's path, which each call makes anew). */
static void expect_error_at(const char *text, const char *const *vary, int n_vary, int line,
                            const char *where, const char *words)
{
    struct tc_error err = {0};
    struct sweep_space *sp = build(text, vary, n_vary, 0, &err);
    cr_assert_null(sp, "accepted: %s", text);
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO, "exit %d: %s", err.exit_code, err.msg);
    char at[600];
    if (line > 0)
        snprintf(at, sizeof at, "%s:%d: ", path, line);
    else
        snprintf(at, sizeof at, "%s", where);
    cr_assert(strstr(err.msg, at), "'%s' lacks '%s'", err.msg, at);
    char want[1200];
    snprintf(want, sizeof want, words, path);
    cr_assert(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
}

static void expect_error(const char *text, int line, const char *words)
{
    expect_error_at(text, NULL, 0, line, NULL, words);
}

/* ---- the forms ------------------------------------------------------------ */

Test(sweep_space, list_of_values)
{
    struct sweep_space *sp = good("[map]\nfile = m.shp\n[sites]\ncount = ${1, 2,5 }\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nkeys(sp), 1);
    cr_assert_str_eq(sweep_space_key(sp, 0), "sites.count");
    cr_assert_eq(sweep_space_loop(sp, 0), 0);
    cr_assert_eq(sweep_space_repeat(sp), 1);
    expect_values(sp, 0, (const char *[]){"1", "2", "5"}, 3);
    sweep_space_free(&sp);
    cr_assert_null(sp);
}

Test(sweep_space, quoted_items_keep_commas)
{
    struct sweep_space *sp = good("[raster]\nlayers = ${\"rsrp, sinr\", servers, \" x \"}\n",
                                  NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"rsrp, sinr", "servers", " x "}, 3);
    sweep_space_free(&sp);
    /* Inside quotes } and ! are text too; "" is an empty value. */
    sp = good("[a]\nx = <${\"a}b!\", \"\"}>\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"<a}b!>", "<>"}, 2);
    sweep_space_free(&sp);
}

Test(sweep_space, integer_ranges)
{
    struct sweep_space *sp = good("[sites]\ncount = ${40000..70000 step 5000}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"40000", "45000", "50000", "55000", "60000", "65000",
                                          "70000"}, 7);
    sweep_space_free(&sp);
    sp = good("[sites]\ncount = ${1..5}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"1", "2", "3", "4", "5"}, 5);
    sweep_space_free(&sp);
    /* An end the step does not land on is not passed. */
    sp = good("[sites]\ncount = ${1..10 step 4}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"1", "5", "9"}, 3);
    sweep_space_free(&sp);
}

Test(sweep_space, decimal_ranges_are_computed_not_accumulated)
{
    struct sweep_space *sp = good("[goal]\nmin_covered_fraction = ${0.1..0.5 step 0.1}\n", NULL,
                                  0, 0);
    expect_values(sp, 0, (const char *[]){"0.1", "0.2", "0.3", "0.4", "0.5"}, 5);
    sweep_space_free(&sp);
    /* Ten steps of 0.1 accumulate to 0.9999999999999999 and would lose the end. */
    sp = good("[goal]\nmin_covered_fraction = ${0..1 step 0.1}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_count(sp), 11);
    cr_assert_str_eq(sweep_space_value(sp, 3, 0), "0.3");
    cr_assert_str_eq(sweep_space_value(sp, 10, 0), "1");
    sweep_space_free(&sp);
}

Test(sweep_space, falling_ranges)
{
    struct sweep_space *sp = good("[a]\nb = ${10..1 step -3}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"10", "7", "4", "1"}, 4);
    sweep_space_free(&sp);
    sp = good("[a]\nb = ${0.5..-0.5 step -0.25}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"0.5", "0.25", "0", "-0.25", "-0.5"}, 5);
    sweep_space_free(&sp);
}

Test(sweep_space, literal_text_around_iterations)
{
    struct sweep_space *sp = good("[scenario]\nname = run-${N=4..6}-of-${N}\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"run-4-of-4", "run-5-of-5", "run-6-of-6"}, 3);
    sweep_space_free(&sp);
}

Test(sweep_space, first_loop_is_outermost)
{
    struct sweep_space *sp = good("[a]\nx = ${1, 2}\n[b]\ny = ${p, q, r}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nkeys(sp), 2);
    cr_assert_str_eq(sweep_space_key(sp, 0), "a.x");
    cr_assert_str_eq(sweep_space_key(sp, 1), "b.y");
    cr_assert_eq(sweep_space_loop(sp, 0), 0);
    cr_assert_eq(sweep_space_loop(sp, 1), 1);
    cr_assert_eq(sweep_space_nloops(sp), 2);
    cr_assert_eq(sweep_space_loop_size(sp, 1), 3);
    expect_values(sp, 0, (const char *[]){"1", "1", "1", "2", "2", "2"}, 6);
    expect_values(sp, 1, (const char *[]){"p", "q", "r", "p", "q", "r"}, 6);
    sweep_space_free(&sp);
}

Test(sweep_space, one_key_over_two_loops)
{
    struct sweep_space *sp = good("[s]\nname = ${1, 2}${a, b}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nloops(sp), 2);
    expect_values(sp, 0, (const char *[]){"1a", "1b", "2a", "2b"}, 4);
    sweep_space_free(&sp);
}

Test(sweep_space, named_and_referenced_before_and_after)
{
    /* name refers to N on an earlier line than N's definition; y opens loop
     * 0 and N loop 1, so the keys come sorted by loop: y, name, count. */
    struct sweep_space *sp = good("[scenario]\nname = n${N}\n[a]\ny = ${p, q}\n[sites]\n"
                                  "count = ${N=1..3}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nkeys(sp), 3);
    cr_assert_eq(sweep_space_nloops(sp), 2);
    cr_assert_str_eq(sweep_space_key(sp, 0), "a.y");
    cr_assert_str_eq(sweep_space_key(sp, 1), "scenario.name");
    cr_assert_str_eq(sweep_space_key(sp, 2), "sites.count");
    cr_assert_eq(sweep_space_loop(sp, 1), 1);
    cr_assert_eq(sweep_space_loop(sp, 2), 1);
    expect_values(sp, 1, (const char *[]){"n1", "n2", "n3", "n1", "n2", "n3"}, 6);
    expect_values(sp, 2, (const char *[]){"1", "2", "3", "1", "2", "3"}, 6);
    struct sweep_assignment as[3];
    sweep_space_assignments(sp, 4, as);
    char where[600];
    snprintf(where, sizeof where, "%s:2", path);
    cr_assert_str_eq(as[1].key, "scenario.name");
    cr_assert_str_eq(as[1].value, "n2");
    cr_assert_str_eq(as[1].where, where);
    cr_assert_str_eq(as[0].value, "q");
    sweep_space_free(&sp);
}

Test(sweep_space, lockstep_moves_together)
{
    struct sweep_space *sp = good("[radio]\nfrequency_mhz = ${F=3500, 2600, 700}\n"
                                  "height_m = ${30, 25, 40 ! F}\n[a]\nb = ${x, y}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nloops(sp), 2);
    cr_assert_eq(sweep_space_loop(sp, 0), 0);
    cr_assert_eq(sweep_space_loop(sp, 1), 0);
    cr_assert_eq(sweep_space_loop(sp, 2), 1);
    expect_values(sp, 0, (const char *[]){"3500", "3500", "2600", "2600", "700", "700"}, 6);
    expect_values(sp, 1, (const char *[]){"30", "30", "25", "25", "40", "40"}, 6);
    sweep_space_free(&sp);
}

Test(sweep_space, lockstep_length_mismatch_names_both_lines)
{
    expect_error("[radio]\nfrequency_mhz = ${F=3500, 2600, 700}\n[x]\nheight_m = ${30, 25 ! F}\n",
                 4, "2 values in lockstep with F at %s:2, which has 3");
}

Test(sweep_space, lockstep_chains_and_circles)
{
    /* z moves with H, which moves with F: one loop of three. */
    struct sweep_space *sp = good("[a]\nz = ${7, 8, 9 ! H}\nf = ${F=1, 2, 3}\n"
                                  "h = ${H=a, b, c ! F}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_nloops(sp), 1);
    expect_values(sp, 0, (const char *[]){"7", "8", "9"}, 3);
    expect_values(sp, 2, (const char *[]){"a", "b", "c"}, 3);
    sweep_space_free(&sp);
    expect_error("[a]\nf = ${F=1, 2 ! H}\nh = ${H=a, b ! F}\n", 2, "lockstep in a circle");
}

Test(sweep_space, repeat_counts_and_numbers_repetitions)
{
    struct sweep_space *sp = good("[a]\nb = ${1, 2}\n[sweep]\nrepeat = 3\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_repeat(sp), 3);
    expect_values(sp, 0, (const char *[]){"1", "1", "1", "2", "2", "2"}, 6);
    for (long m = 0; m < 6; m++)
        cr_assert_eq(sweep_space_repetition(sp, m), m % 3);
    sweep_space_free(&sp);
    /* The argument overrides the file. */
    sp = good("[a]\nb = ${1, 2}\n[sweep]\nrepeat = 3\n", NULL, 0, 2);
    cr_assert_eq(sweep_space_count(sp), 4);
    cr_assert_eq(sweep_space_repetition(sp, 3), 1);
    sweep_space_free(&sp);
}

Test(sweep_space, no_iterations_is_one_member)
{
    struct sweep_space *sp = good("[map]\nfile = m.shp\n[sites]\ncount = 5\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_count(sp), 1);
    cr_assert_eq(sweep_space_nkeys(sp), 0);
    cr_assert_eq(sweep_space_repetition(sp, 0), 0);
    sweep_space_free(&sp);
    sp = good("[map]\nfile = m.shp\n", NULL, 0, 4);
    cr_assert_eq(sweep_space_count(sp), 4);
    cr_assert_eq(sweep_space_repetition(sp, 3), 3);
    sweep_space_free(&sp);
}

Test(sweep_space, vary_short_forms_add_loops_after_the_file)
{
    const char *vary[] = {"sites.count=40000..70000/10000", "radio.height_m=20..22",
                          "scenario.name=a,\"b,c\""};
    struct sweep_space *sp = good("[a]\nb = ${1, 2}\n[sites]\ncount_x = 3\n", vary, 3, 0);
    cr_assert_eq(sweep_space_nkeys(sp), 4);
    cr_assert_eq(sweep_space_count(sp), 2 * 4 * 3 * 2);
    cr_assert_str_eq(sweep_space_key(sp, 1), "sites.count");
    cr_assert_eq(sweep_space_loop(sp, 1), 1);
    cr_assert_eq(sweep_space_loop(sp, 3), 3);
    /* Strides 24, 6, 2, 1: member 6 is the second value of loop 1. */
    cr_assert_str_eq(sweep_space_value(sp, 0, 1), "40000");
    cr_assert_str_eq(sweep_space_value(sp, 6, 1), "50000");
    cr_assert_str_eq(sweep_space_value(sp, 18, 1), "70000");
    cr_assert_str_eq(sweep_space_value(sp, 2, 2), "21");
    cr_assert_str_eq(sweep_space_value(sp, 1, 3), "b,c");
    cr_assert_str_eq(sweep_space_value(sp, 24, 0), "2");
    struct sweep_assignment as[4];
    sweep_space_assignments(sp, 0, as);
    cr_assert_str_eq(as[1].where, "--vary sites.count=40000..70000/10000");
    sweep_space_free(&sp);
}

Test(sweep_space, vary_full_form_is_named_for_the_constraint)
{
    const char *vary[] = {"radio.height_m=h${H=10..30 step 10}"};
    struct sweep_space *sp = good("[a]\nb = ${N=1..3}\n[sweep]\nconstraint = H > N * 10\n", vary,
                                  1, 0);
    /* (1,20) (1,30) (2,30) */
    expect_values(sp, 0, (const char *[]){"1", "1", "2"}, 3);
    expect_values(sp, 1, (const char *[]){"h20", "h30", "h30"}, 3);
    sweep_space_free(&sp);
}

Test(sweep_space, readme_example)
{
    struct sweep_space *sp = good(
        "[scenario]\nname = run-${N}                       ; a reference\n"
        "[sites]\ncount = ${N=40000..70000 step 5000}   ; loop 0, named N\n"
        "[radio]\nband = ${B=n78, n41}                  ; loop 1, named B\n"
        "frequency_mhz = ${3500, 2600 ! B}     ; moves with B\n"
        "[sweep]\nrepeat = 3                            ; seeds\n"
        "constraint = N >= 50000 || B == \"n78\"\n", NULL, 0, 0);
    /* 7 x 2 combinations less (40000, n41) and (45000, n41), 3 times each. */
    cr_assert_eq(sweep_space_count(sp), 36);
    cr_assert_eq(sweep_space_nkeys(sp), 4);
    cr_assert_str_eq(sweep_space_key(sp, 0), "scenario.name");
    cr_assert_str_eq(sweep_space_key(sp, 3), "radio.frequency_mhz");
    struct sweep_assignment as[4];
    sweep_space_assignments(sp, 3, as); /* (45000, n78), repetition 0 */
    cr_assert_str_eq(as[0].value, "run-45000");
    cr_assert_str_eq(as[2].value, "n78");
    cr_assert_str_eq(as[3].value, "3500");
    sweep_space_assignments(sp, 6, as); /* (50000, n78) */
    cr_assert_str_eq(as[1].value, "50000");
    sweep_space_assignments(sp, 35, as);
    cr_assert_str_eq(as[1].value, "70000");
    cr_assert_str_eq(as[3].value, "2600");
    cr_assert_eq(sweep_space_repetition(sp, 35), 2);
    sweep_space_free(&sp);
}

/* ---- the constraint ----------------------------------------------------- */

Test(sweep_space, constraint_filters_members)
{
    struct sweep_space *sp = good("[a]\nx = ${N=1..4}\ny = ${M=1..4}\n[sweep]\n"
                                  "constraint = N < M\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"1", "1", "1", "2", "2", "3"}, 6);
    expect_values(sp, 1, (const char *[]){"2", "3", "4", "3", "4", "4"}, 6);
    sweep_space_free(&sp);
}

Test(sweep_space, constraint_precedence_and_variable_forms)
{
    /* * before +, comparisons before &&, ! and unary minus bind tightest:
     * 2N+1 > 7 keeps 4..6, !(N == 5) drops 5, -$N < -3 keeps 4..6. */
    struct sweep_space *sp = good("[a]\nx = ${N=1..6}\n[sweep]\nconstraint = ${N} * 2 + 1 > 7 "
                                  "&& !(N == 5) && -$N < -3 || a.x % 7 == 1\n", NULL, 0, 0);
    expect_values(sp, 0, (const char *[]){"1", "4", "6"}, 3);
    sweep_space_free(&sp);
}

Test(sweep_space, constraint_on_strings_and_repetition)
{
    struct sweep_space *sp = good("[radio]\nband = ${B=n78, n41, n1}\n[sweep]\nrepeat = 2\n"
                                  "constraint = B == \"n78\" || B < \"n1 \" || repetition == 1\n",
                                  NULL, 0, 0);
    /* n78 both, n41 repetition 1, n1 ("n1" < "n1 ") both. */
    expect_values(sp, 0, (const char *[]){"n78", "n78", "n41", "n1", "n1"}, 5);
    cr_assert_eq(sweep_space_repetition(sp, 2), 1);
    cr_assert_eq(sweep_space_repetition(sp, 3), 0);
    sweep_space_free(&sp);
}

Test(sweep_space, constraint_errors)
{
    const char *h = "[a]\nx = ${N=1..4}\n[sweep]\n";
    char text[400];
    snprintf(text, sizeof text, "%sconstraint = N <\n", h);
    expect_error(text, 4, "at the end");
    snprintf(text, sizeof text, "%sconstraint = N < < 3\n", h);
    expect_error(text, 4, "column 5 ('<')");
    snprintf(text, sizeof text, "%sconstraint = (N < 3\n", h);
    expect_error(text, 4, "expected ')'");
    snprintf(text, sizeof text, "%sconstraint = N < Q\n", h);
    expect_error(text, 4, "unknown name Q");
    snprintf(text, sizeof text, "%sconstraint = a.y > 1\n", h);
    expect_error(text, 4, "unknown name a.y");
    snprintf(text, sizeof text, "%sconstraint = N / (N - 2) > 0\n", h);
    expect_error(text, 4, "division by zero");
    snprintf(text, sizeof text, "%sconstraint = N > 10\n", h);
    expect_error(text, 4, "leaves no member");
    snprintf(text, sizeof text, "%sconstraint = N == \"1\"\n", h);
    expect_error(text, 4, "compares the string \"1\" with the number 1");
}

/* ---- errors in the iterations --------------------------------------------- */

Test(sweep_space, open_brace_without_close)
{
    expect_error("[a]\n\nx = run-${1, 2\n", 3, "${ without }");
}

Test(sweep_space, empty_items)
{
    expect_error("[a]\nx = ${1,,2}\n", 2, "empty item");
    expect_error("[a]\ny = 1\nx = ${ }\n", 3, "empty item");
    expect_error("[a]\nx = ${1, 2, }\n", 2, "empty item");
}

Test(sweep_space, name_defined_twice)
{
    expect_error("[a]\nx = ${N=1, 2}\n[b]\ny = ${N=3, 4}\n", 4,
                 "name N is defined twice (first at %s:2)");
}

Test(sweep_space, unknown_names)
{
    expect_error("[a]\nx = ${N=1, 2}\ny = ${5, 6 ! Q}\n", 3, "lockstep to an unknown name Q");
    expect_error("[a]\nx = ${N=1, 2}\n\ny = a${Q}\n", 4, "reference to an unknown name Q");
}

Test(sweep_space, nested_iteration)
{
    expect_error("[a]\nx = ${1, ${N}}\n", 2, "${ inside ${");
}

Test(sweep_space, range_errors)
{
    expect_error("[a]\nx = ${1..5 step 0}\n", 2, "the step is 0");
    expect_error("[a]\nx = ${1..5 step -1}\n", 2, "never goes from 1 to 5");
    expect_error("[a]\nx = ${0..1000000}\n", 2, "more than 1000000 values");
    expect_error("[a]\nx = ${1..five}\n", 2, "'five' is not a number");
    expect_error("[a]\nx = ${1..5 step}\n", 2, "'' is not a number");
    /* A million values is the most. */
    struct sweep_space *sp = good("[a]\nx = ${1..1000000}\n", NULL, 0, 0);
    cr_assert_eq(sweep_space_count(sp), 1000000);
    cr_assert_str_eq(sweep_space_value(sp, 999999, 0), "1000000");
    sweep_space_free(&sp);
}

Test(sweep_space, sweep_section_errors)
{
    expect_error("[a]\nx = ${1, 2}\n[sweep]\nrepeat = 0\n", 4, "sweep.repeat = 0");
    expect_error("[a]\nx = ${1, 2}\n[sweep]\nrepeat = 2.5\n", 4, "expected an integer");
    expect_error("[sweep]\nrepeat = 2\nrepeats = 2\n", 3, "unknown key 'repeats'");
    expect_error("[sweep]\nrepeat = 2\nrepeat = 3\n", 3, "set twice");
    /* [sweep] keys are never iterations. */
    expect_error("[a]\nx = ${1, 2}\n[sweep]\nrepeat = ${1, 2}\n", 4, "expected an integer");
}

Test(sweep_space, vary_errors)
{
    const char *again[] = {"a.x=1..3"};
    expect_error_at("[a]\nx = ${1, 2}\n", again, 1, 0, "--vary a.x=1..3: ",
                    "a.x is already iterated at %s:2");
    const char *twice[] = {"b.y=1,2", "b.y=3"};
    expect_error_at("[a]\n", twice, 2, 0, "--vary b.y=3: ", "already varied by --vary b.y=1,2");
    const char *bad[] = {"count=5"};
    expect_error_at("[a]\n", bad, 1, 0, "--vary count=5: ", "expected section.key=SPEC");
    const char *step0[] = {"b.y=1..5/0"};
    expect_error_at("[a]\n", step0, 1, 0, "--vary b.y=1..5/0: ", "the step is 0");
    const char *lock[] = {"b.y=${1, 2 ! N}"};
    expect_error_at("[a]\nx = ${N=1, 2}\n", lock, 1, 0, "--vary b.y=${1, 2 ! N}: ",
                    "loop of its own");
    const char *dup[] = {"b.y=${N=1, 2}"};
    expect_error_at("[a]\nx = ${N=1, 2}\n", dup, 1, 0, "--vary b.y=${N=1, 2}: ",
                    "defined twice");
}

Test(sweep_space, quote_errors)
{
    expect_error("[a]\nx = ${\"a, b}\n", 2, "${ without }");
    expect_error("[a]\nx = ${\"a\" b, c}\n", 2, "text after the closing quote");
    expect_error("[a]\nx = ${a\"b, c}\n", 2, "${ without }");
    expect_error("[a]\nx = ${a!, c}\n", 2, "'!' must be followed by the name");
}

Test(sweep_space, lines_too_long_and_ini_syntax)
{
    char text[600];
    snprintf(text, sizeof text, "[a]\nx = ${1, 2}\ny = %0200d\n", 7);
    expect_error(text, 3, "longer than 198");
    expect_error("[a]\nx = ${1, 2}\nthis line has no equals sign\n", 3, "syntax error");
    /* 198 characters are still a line. */
    snprintf(text, sizeof text, "[a]\nx = ${1, 2}\ny = %0194d\n", 7);
    struct sweep_space *sp = good(text, NULL, 0, 0);
    cr_assert_eq(sweep_space_count(sp), 2);
    sweep_space_free(&sp);
}

Test(sweep_space, missing_file)
{
    struct tc_error err = {0};
    struct sweep_space *sp = sweep_space_new("/nonexistent/s.ini", NULL, 0, 0, &err);
    cr_assert_null(sp);
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO);
    cr_assert(strstr(err.msg, "/nonexistent/s.ini: cannot open"), "%s", err.msg);
}

Test(sweep_space, too_many_members)
{
    expect_error("[a]\nx = ${1..1000000}\ny = ${1..1000}\n", 3, "more than 1000000 members");
}

/* Text from `alphabet`, up to max characters, into buf. */
static void random_text(uint64_t *state, const char *alphabet, int max, char *buf)
{
    int n = (int)(fx_rnd(state) * max), len = (int)strlen(alphabet);
    for (int i = 0; i < n; i++)
        buf[i] = alphabet[(int)(fx_rnd(state) * len)];
    buf[n] = '\0';
}

/* Seeded garbage of the syntax's own characters: each file is refused with
 * exit 3 and its path in the message, or gives members whose values read
 * (under ASan: without touching memory it should not). */
Test(sweep_space, garbage_is_refused_or_read)
{
    uint64_t state = 14;
    int refused = 0, accepted = 0;
    for (int round = 0; round < 400; round++) {
        char value[64], constraint[64], text[300];
        random_text(&state, "${}${}\",,..!=N M12 step-", 40, value);
        random_text(&state, "NM12()<>=!&|+-*/%\" $.{}", 24, constraint);
        snprintf(text, sizeof text, "[a]\nx = %s${N=1,2}\ny = ${M=1..3}\n[sweep]\n%s%s\n", value,
                 round % 2 ? "constraint = " : "; ", constraint);
        struct tc_error err = {0};
        struct sweep_space *sp = build(text, NULL, 0, 0, &err);
        if (!sp) {
            cr_assert(err.exit_code == TC_EXIT_SCENARIO && strstr(err.msg, path),
                      "exit %d '%s' for %s", err.exit_code, err.msg, text);
            refused++;
            continue;
        }
        accepted++;
        long count = sweep_space_count(sp);
        cr_assert_gt(count, 0);
        struct sweep_assignment as[8];
        cr_assert_leq(sweep_space_nkeys(sp), 8, "%s", text);
        for (long m = 0; m < count && m < 50; m++) {
            sweep_space_assignments(sp, count - 1 - m, as);
            for (int k = 0; k < sweep_space_nkeys(sp); k++)
                cr_assert_not_null(strchr(as[k].where, ':'));
        }
        sweep_space_free(&sp);
    }
    /* Both outcomes happen, or the garbage tests nothing. */
    cr_assert_gt(refused, 20);
    cr_assert_gt(accepted, 20);
}
