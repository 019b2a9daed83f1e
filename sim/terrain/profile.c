/* terrain/profile.c — a path profile from a CSV file and the
 * delta-Bullington terms printed one per line (`towncov pathloss
 * --profile`; see terrain.h). */
#include "terrain_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "towncov/csv.h"

/* A number of column col of the current record, or -1 with err set. */
static int field_number(struct csv_reader *r, int col, double *v, struct tc_error *err)
{
    const char *s = csv_field(r, col);
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(*v))
        return csv_fail(r, err, "%s: expected a number, not '%s'", csv_col_name(r, col), s);
    return 0;
}

int terrain_profile_read(const char *path, double **pd, double **ph, int *pn, struct tc_error *err)
{
    struct csv_options opt = {NULL, NULL, TC_EXIT_USAGE};
    struct csv_reader *r = csv_open(path, &opt, err);
    if (!r)
        return -1;
    int cd = csv_column(r, "distance_m"), ch = csv_column(r, "height_m"), n = 0, rc = 0;
    size_t cap = 0;
    double *d = NULL, *h = NULL;
    if (cd < 0 || ch < 0)
        rc = tc_fail(err, TC_EXIT_USAGE, "%s: expected the columns distance_m,height_m, found %s",
                     path, csv_header_text(r));
    int got;
    while (rc == 0 && (got = csv_next(r, err)) == 1) {
        if (tc_reserve_xy(&d, &h, &cap, (size_t)n + 1) != 0) {
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
            break;
        }
        if (field_number(r, cd, &d[n], err) != 0 || field_number(r, ch, &h[n], err) != 0) {
            rc = -1;
            break;
        }
        if (n == 0 ? d[0] != 0 : !(d[n] > d[n - 1])) {
            rc = csv_fail(r, err, "distance_m must start at 0 (the station) and increase");
            break;
        }
        n++;
    }
    if (rc == 0 && got < 0)
        rc = -1;
    if (rc == 0 && n < 2)
        rc = tc_fail(err, TC_EXIT_USAGE, "%s: a profile needs at least two rows", path);
    csv_close(&r);
    if (rc != 0) {
        free(d);
        free(h);
        return -1;
    }
    *pd = d, *ph = h, *pn = n;
    return 0;
}

int terrain_print_terms(FILE *out, double pathloss_db, const struct terrain_terms *t)
{
    int w = fprintf(out,
                    "pathloss_db: %.4f\n"
                    "bullington_actual_db: %.4f\n"
                    "bullington_smooth_db: %.4f\n"
                    "spherical_earth_db: %.4f\n"
                    "diffraction_db: %.4f\n"
                    "terrain_excess_db: %.4f\n"
                    "total_db: %.4f\n"
                    "path: %s\n",
                    pathloss_db, t->bull_actual_db, t->bull_smooth_db, t->sphere_db,
                    t->diffraction_db, t->excess_db, pathloss_db + t->excess_db,
                    t->los ? "line of sight" : "trans-horizon");
    return w < 0 ? -1 : 0;
}
