/* radio/model.c — the tables radio_prepare() derives from a
 * configuration (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* A fingerprint of every key value, so that tables prepared for other
 * values are never used (FNV-style over the values, field by field:
 * padding never enters). */
static uint64_t config_stamp(const struct radio_config *rc)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < radio_nkeys; i++) {
        const char *p = (const char *)rc + radio_keys[i].offset;
        uint64_t v = 0;
        if (radio_keys[i].type == KEY_DOUBLE)
            memcpy(&v, p, sizeof(double));
        else if (radio_keys[i].type == KEY_INT)
            memcpy(&v, p, sizeof(long));
        else
            memcpy(&v, p, sizeof(int));
        h = (h ^ v) * 1099511628211ULL;
        h ^= h >> 32;
    }
    return h;
}

int radio_prep_valid(const struct radio_config *rc)
{
    return rc->prep.ready && rc->prep.stamp == config_stamp(rc);
}

int radio_prepare(struct radio_config *rc, struct tc_error *err)
{
    struct radio_prepared *p = &rc->prep;
    p->ready = 0;
    if (radio_config_check(rc, err) != 0)
        return -1;
    if (rc->model == RADIO_DISC && rc->vertices <= RADIO_MAX_VERTICES) {
        /* The disc's unit vectors: one table instead of a sincos per vertex
         * of every station. */
        int n = p->nvert = (int)rc->vertices;
        for (int j = 0; j < n; j++) {
            p->ux[j] = cos(2.0 * M_PI * j / n);
            p->uy[j] = sin(2.0 * M_PI * j / n);
        }
    }
    if (rc->model == RADIO_LINK) {
        int n = p->nvert = nvert_of(rc);
        for (int j = 0; j < n; j++) {
            p->ux[j] = cos(2 * M_PI * j / n);
            p->uy[j] = sin(2 * M_PI * j / n);
        }
        for (int k = 0; k < KIND_COUNT; k++) {
            struct link lk;
            radio_link_default(&lk, rc, (enum tc_kind)k);
            struct sweep sw;
            radio_sweep_init(&sw, &lk, NULL);
            for (int i = 0; i <= RADIO_PSI_STEPS; i++)
                p->sector_r[k][i] =
                    i ? radio_sweep_solve(&sw, i * (180.0 / RADIO_PSI_STEPS)) : sw.prev;
            struct station st;
            radio_station_of(rc, (enum tc_kind)k, NULL, &st);
            double *r = p->default_r[k];
            radio_solve_footprint(&lk, &st, n, p->sector_r[k], r);
            double lo = INFINITY, hi = 0;
            for (int j = 0; j < n; j++)
                lo = min2(lo, r[j]), hi = max2(hi, r[j]);
            p->default_min_r[k] = lo;
            p->default_max_r[k] = hi;
            p->param_warn[k] = radio_pathloss_check(lk.model, &lk.pp);
            p->default_warn[k] =
                radio_range_warnings(rc, (enum tc_kind)k, p->param_warn[k], lo, hi);
        }
    }
    p->stamp = config_stamp(rc);
    p->ready = 1;
    return 0;
}

int radio_footprint_max_vertices(const struct radio_config *rc)
{
    return rc->model == RADIO_LINK ? nvert_of(rc) : (int)rc->vertices;
}

