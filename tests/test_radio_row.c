/* radio_rx_row (sim/radio/rsrp.c), the signal rasters' kernel: the link
 * budget along a row of points, vectorised with glibc's libmvec, against
 * the scalar formula point by point (radio_rx_rsrp, radio_rx_covers), for
 * every antenna form the kernel has a loop for and every span length that
 * ends in a whole chunk or a padded one. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "towncov/radio.h"
#include "towncov/scenario.h"

/* The default [radio] section as the link model, `sectors` a station
 * (0: omni), mechanical tilt mtilt. */
static struct radio_model *model_of(int sectors, double mtilt)
{
    struct scenario scn;
    scenario_defaults(&scn);
    struct radio_config rc = scn.radio;
    rc.model = RADIO_LINK;
    for (int k = 0; k < KIND_COUNT; k++) {
        rc.sectors[k] = sectors;
        rc.mtilt_deg[k] = mtilt;
    }
    struct tc_error err = {0};
    struct radio_model *m = radio_model_new(&rc, &err);
    cr_assert_not_null(m, "%s", err.msg);
    return m;
}

/* Every span length from 1 to 41 at several rows and offsets: rsrp and
 * power equal the scalar formula's to within libmvec's few ulp, and
 * coverage agrees except within 1e-9 dB of the threshold. */
static void compare_rows(const struct radio_model *m, const struct radio_site *site,
                         const char *what)
{
    enum { MAXN = 41 };
    double xs[MAXN], rsrp[MAXN], mw[MAXN];
    int64_t cover[MAXN];
    long points = 0, covered = 0;
    for (int k = 0; k < KIND_COUNT; k++) {
        struct radio_rx *rx = radio_rx_new(m, (enum tc_kind)k, site);
        cr_assert_not_null(rx);
        double thr = radio_rx_threshold_dbm(rx);
        for (int n = 1; n <= MAXN; n++)
            for (double dy = -1900; dy <= 1900; dy += 370) {
                double x0 = -37.0 * n - 3.3; /* rows across the station and beside it */
                for (int i = 0; i < n; i++)
                    xs[i] = x0 + 73.7 * i;
                radio_rx_row(rx, xs, 0.0, dy, n, rsrp, mw, cover);
                for (int i = 0; i < n; i++) {
                    double margin, want = radio_rx_rsrp(rx, xs[i], dy, &margin);
                    cr_assert(fabs(rsrp[i] - want) <= 1e-9 * fmax(1, fabs(want)),
                              "%s kind %d n %d (%g, %g): %.15g dBm, scalar %.15g", what, k, n,
                              xs[i], dy, rsrp[i], want);
                    double pw = pow(10, want / 10);
                    cr_assert(fabs(mw[i] - pw) <= 1e-9 * pw, "%s: power %.17g, want %.17g", what,
                              mw[i], pw);
                    int want_cover = radio_rx_covers(rx, xs[i], dy, NULL);
                    if (fabs(want - margin - thr) > 1e-9)
                        cr_assert_eq(cover[i], want_cover, "%s kind %d (%g, %g): covered %ld",
                                     what, k, xs[i], dy, (long)cover[i]);
                    points++;
                    covered += want_cover;
                }
            }
        radio_rx_free(&rx);
    }
    cr_assert_gt(covered, points / 20, "%s: too few covered points to test", what);
    cr_assert_gt(points - covered, points / 20, "%s: too few uncovered points", what);
}

Test(radio_row, omni)
{
    struct radio_model *m = model_of(0, 0);
    compare_rows(m, NULL, "omni");
    radio_model_free(&m);
}

Test(radio_row, untilted_sectors_three_five_and_nine)
{
    struct radio_model *m = model_of(3, 0);
    compare_rows(m, NULL, "3 sectors");
    /* Custom azimuths, not evenly spread: the 6- and 12-sector loops,
     * their unused slots padded with the first azimuth. */
    struct radio_site five = {NAN, NAN, NAN, 5, {10, 80, 95, 200, 355}};
    compare_rows(m, &five, "5 sectors");
    struct radio_site nine = {NAN, NAN, NAN, 9, {0}};
    for (int i = 0; i < 9; i++)
        nine.azimuth_deg[i] = 40.0 * i + 7;
    compare_rows(m, &nine, "9 sectors");
    radio_model_free(&m);
}

Test(radio_row, tilted_sectors)
{
    struct radio_model *m = model_of(3, 4);
    compare_rows(m, NULL, "3 tilted");
    struct radio_site seven = {NAN, NAN, 6, 7, {0, 30, 60, 120, 180, 240, 300}};
    compare_rows(m, &seven, "7 tilted");
    radio_model_free(&m);
}

/* The same point gives the same values wherever it falls in a row (in a
 * whole chunk or in the padded last one), so that a cell does not depend
 * on where a station's span starts. */
Test(radio_row, a_point_does_not_depend_on_its_place_in_the_row)
{
    struct radio_model *m = model_of(3, 0);
    struct radio_rx *rx = radio_rx_new(m, KIND_TOWN, NULL);
    double xs[24], r[24], mw[24], ref_r = 0, ref_mw = 0;
    int64_t cv[24];
    for (int start = 0; start < 24; start++) {
        for (int i = 0; i < 24; i++)
            xs[i] = 123.456 + 25.0 * (i - start); /* the point 123.456 at index start */
        radio_rx_row(rx, xs, 0, 321.0, 24, r, mw, cv);
        if (start == 0)
            ref_r = r[0], ref_mw = mw[0];
        cr_assert_eq(r[start], ref_r, "index %d: %.17g vs %.17g", start, r[start], ref_r);
        cr_assert_eq(mw[start], ref_mw);
    }
    radio_rx_free(&rx);
    radio_model_free(&m);
}
