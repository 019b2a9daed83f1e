/* Helpers every stage shares (common.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/common.h"

#include "fixture.h"

static void expect_as_printf(double v, int d)
{
    char want[TC_FIXED_MAX], got[TC_FIXED_MAX];
    snprintf(want, sizeof want, "%.*f", d, v);
    int n = tc_format_fixed(got, v, d);
    cr_assert_str_eq(got, want, "%.17g with %d decimals", v, d);
    cr_assert_eq(n, (int)strlen(want));
}

Test(common, fixed_format_is_printf_on_random_values)
{
    uint64_t st = 42;
    for (int i = 0; i < 400000; i++) {
        double mag = pow(10.0, -6.0 + 22.0 * fx_rnd(&st)); /* 1e-6 .. 1e16 */
        double v = (fx_rnd(&st) < 0.5 ? -1 : 1) * mag * fx_rnd(&st);
        expect_as_printf(v, i % 16);
    }
}

Test(common, fixed_format_is_printf_at_ties_and_edges)
{
    const double cases[] = {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e-10, -1e-10,
                            0.0005, 0.00049999999999999999, 0.9999999999, 999999.9999995,
                            115.123456789, 28.5, 1e15, 9.0071992547409915e15, 1e300, -1e300,
                            INFINITY, -INFINITY, NAN, 4503599627370495.5, 0.045, 1.005};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int d = 0; d <= 15; d++)
            expect_as_printf(cases[i], d);
    /* Every decimal tie k + 0.5 / 10^d near representable values. */
    for (int d = 0; d <= 15; d++)
        for (int k = 0; k < 2000; k++)
            expect_as_printf(((double)k + 0.5) / pow(10, d), d);
}

Test(common, fclose_checked_reports_a_failed_write)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    fputs("a line that cannot be written\n", f);
    struct tc_error err = {0};
    cr_assert_eq(tc_fclose_checked(f, "/dev/full", &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert(strstr(err.msg, "/dev/full: write failed"), "%s", err.msg);
}

Test(common, resize_keeps_contents_and_refuses_overflow)
{
    int *a = NULL;
    cr_assert_eq(tc_resize((void **)&a, 4, sizeof *a), 0);
    for (int i = 0; i < 4; i++)
        a[i] = i * 7;
    cr_assert_eq(tc_resize((void **)&a, 1000, sizeof *a), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(a[i], i * 7, "element %d kept", i);
    int *before = a;
    cr_assert_eq(tc_resize((void **)&a, SIZE_MAX / 2, sizeof *a), -1, "n * size overflows");
    cr_assert_eq(a, before, "a failed resize leaves the array");
    cr_assert_eq(tc_resize((void **)&a, 0, sizeof *a), 0, "zero elements: still an array");
    cr_assert_not_null(a);
    free(a);
}

Test(common, reserve_grows_keeps_contents_and_refuses_overflow)
{
    int *a = NULL;
    size_t cap = 0;
    for (int i = 0; i < 10000; i++) {
        cr_assert_eq(tc_reserve((void **)&a, &cap, (size_t)i + 1, sizeof *a), 0);
        cr_assert_geq(cap, (size_t)i + 1);
        a[i] = i;
    }
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(a[i], i);
    size_t before = cap;
    cr_assert_eq(tc_reserve((void **)&a, &cap, SIZE_MAX / 2, sizeof *a), -1);
    cr_assert_eq(cap, before, "a failure leaves the capacity as it was");
    free(a);
    double *x = NULL, *y = NULL;
    size_t c = 0;
    cr_assert_eq(tc_reserve_xy(&x, &y, &c, 1000), 0);
    cr_assert_geq(c, 1000u);
    x[999] = 1, y[999] = 2;
    cr_assert_eq(tc_reserve_xy(&x, &y, &c, SIZE_MAX / 4), -1);
    cr_assert(x[999] == 1 && y[999] == 2, "both arrays still valid after a failure");
    free(x);
    free(y);
}
