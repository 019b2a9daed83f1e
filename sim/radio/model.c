/* radio/model.c — the radio model handle: what radio_model_new() derives
 * from a configuration, once, before any thread reads it (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <stdlib.h>

/* The unit vector of each footprint vertex: one table instead of a sincos
 * per vertex of every station. */
static void unit_vectors(struct radio_model *m, int n)
{
    m->nvert = n;
    for (int j = 0; j < n; j++) {
        m->ux[j] = cos(2.0 * M_PI * j / n);
        m->uy[j] = sin(2.0 * M_PI * j / n);
    }
}

/* Kind k's tables: one sector's range against the azimuth offset, then the
 * default station's footprint (solved with that table's guesses). */
static void tabulate_kind(struct radio_model *m, enum tc_kind k)
{
    const struct radio_config *rc = &m->cfg;
    struct link lk;
    radio_link_default(&lk, rc, k);
    struct sweep sw;
    radio_sweep_init(&sw, &lk, NULL);
    for (int i = 0; i <= RADIO_PSI_STEPS; i++)
        m->sector_r[k][i] = i ? radio_sweep_solve(&sw, i * (180.0 / RADIO_PSI_STEPS)) : sw.prev;
    struct station st;
    radio_station_of(rc, k, NULL, &st);
    double *r = m->default_r[k];
    radio_solve_footprint(&lk, &st, m->nvert, m->sector_r[k], r);
    double lo = INFINITY, hi = 0;
    for (int j = 0; j < m->nvert; j++)
        lo = min2(lo, r[j]), hi = max2(hi, r[j]);
    m->default_min_r[k] = lo;
    m->default_max_r[k] = hi;
    m->param_warn[k] = radio_pathloss_check(lk.model, &lk.pp);
    m->default_warn[k] = radio_range_warnings(rc, k, m->param_warn[k], lo, hi);
}

struct radio_model *radio_model_new(const struct radio_config *cfg, struct tc_error *err)
{
    if (radio_config_check(cfg, err) != 0)
        return NULL;
    struct radio_model *m = calloc(1, sizeof *m);
    if (!m) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the radio model");
        return NULL;
    }
    m->cfg = *cfg;
    if (cfg->model == RADIO_DISC && cfg->vertices <= RADIO_MAX_VERTICES)
        unit_vectors(m, (int)cfg->vertices);
    if (cfg->model == RADIO_LINK) {
        unit_vectors(m, nvert_of(cfg));
        for (int k = 0; k < KIND_COUNT; k++)
            tabulate_kind(m, (enum tc_kind)k);
    }
    return m;
}

void radio_model_free(struct radio_model **m)
{
    free(*m);
    *m = NULL;
}

const struct radio_config *radio_model_config(const struct radio_model *m)
{
    return &m->cfg;
}

int radio_footprint_max_vertices(const struct radio_config *rc)
{
    return rc->model == RADIO_LINK ? nvert_of(rc) : (int)rc->vertices;
}
