/* goal.c — the "township-to-township" verdict (see goal.h). */
#include "towncov/goal.h"

#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/map.h"

static const char *const key_point_rules[] = {"none", "all", "any", NULL};

const struct key_desc goal_keys[] = {
    {"goal", "seat_area_min_fraction", KEY_DOUBLE,
     offsetof(struct goal_config, seat_area_min_fraction), 0, 1, NULL, "0.95", "fraction",
     "a township has 5G only if at least this share of its seat area (乡镇镇区, the official "
     "count) is covered (0 = not judged)"},
    {"goal", "min_covered_fraction", KEY_DOUBLE,
     offsetof(struct goal_config, min_covered_fraction), 0, 1, NULL, "0", "fraction",
     "and at least this share of its whole area (0 = not judged; always reported)"},
    {"goal", "seat_covered", KEY_BOOL, offsetof(struct goal_config, seat_covered), 0, 0, NULL,
     "no", "", "and its seat point (the township government) covered"},
    {"goal", "key_points", KEY_ENUM, offsetof(struct goal_config, key_points), 0, 0,
     key_point_rules, "none", "",
     "and its key points ([map] key_points) covered: all, any (at least one), none (not "
     "judged); a township without key points is not judged on them"},
    {"goal", "population_min_fraction", KEY_DOUBLE,
     offsetof(struct goal_config, population_min_fraction), 0, 1, NULL, "0", "fraction",
     "and at least this share of its people covered (needs [map] population or "
     "population_field; 0 = not judged; reported whenever the map has people; a township "
     "without people is not judged on it)"},
};
const int goal_nkeys = (int)(sizeof goal_keys / sizeof goal_keys[0]);

int goal_township_met(const struct goal_config *cfg, const struct cov_result *r)
{
    if (cfg->seat_covered && !r->seat_covered)
        return 0;
    /* A seat area of 0 km2 has no share to judge (the seat stage models
     * one that lies outside its township, so this is a guard). */
    if (cfg->seat_area_min_fraction > 0 && r->seat_area_m2 > 0 &&
        r->seat_covered_frac < cfg->seat_area_min_fraction)
        return 0;
    if (r->key_points > 0 && ((cfg->key_points == GOAL_KEYS_ALL &&
                               r->key_points_covered < r->key_points) ||
                              (cfg->key_points == GOAL_KEYS_ANY && r->key_points_covered == 0)))
        return 0;
    if (cfg->population_min_fraction > 0 && r->population > 0 &&
        r->population_covered_frac < cfg->population_min_fraction)
        return 0;
    return r->covered_frac >= cfg->min_covered_fraction;
}

void goal_criterion(const struct goal_config *cfg, char *buf, size_t size)
{
    char parts[5][96];
    int n = 0;
    if (cfg->seat_area_min_fraction > 0)
        snprintf(parts[n++], sizeof parts[0], "%g %% of their seat area covered",
                 100 * cfg->seat_area_min_fraction);
    if (cfg->min_covered_fraction > 0)
        snprintf(parts[n++], sizeof parts[0], "%g %% of their area covered",
                 100 * cfg->min_covered_fraction);
    if (cfg->population_min_fraction > 0)
        snprintf(parts[n++], sizeof parts[0], "%g %% of their people covered",
                 100 * cfg->population_min_fraction);
    if (cfg->key_points != GOAL_KEYS_NONE)
        snprintf(parts[n++], sizeof parts[0], "%s of their key points covered",
                 cfg->key_points == GOAL_KEYS_ALL ? "all" : "one");
    if (cfg->seat_covered)
        snprintf(parts[n++], sizeof parts[0], "their seat covered");
    if (n == 0) {
        snprintf(buf, size, "no condition set");
        return;
    }
    /* What a failing township lacks: "under 95 % of their seat area
     * covered", or "without A, B and C" for several conditions. */
    if (n == 1 && (cfg->seat_area_min_fraction > 0 || cfg->min_covered_fraction > 0 ||
                   cfg->population_min_fraction > 0)) {
        snprintf(buf, size, "under %s", parts[0]);
        return;
    }
    size_t used = (size_t)snprintf(buf, size, "without ");
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i == 0 ? "" : i == n - 1 ? " and " : ", ", parts[i]);
}

/* Worst first: lowest covered fraction, then seat uncovered, then code. */

static int worse(const struct goal_config *cfg, const struct tc_map *map,
                 const struct cov_result *r, int a, int b)
{
    /* the seat area first when it is judged (the official count) */
    if (cfg->seat_area_min_fraction > 0 && r[a].seat_covered_frac != r[b].seat_covered_frac)
        return r[a].seat_covered_frac < r[b].seat_covered_frac ? -1 : 1;
    if (r[a].covered_frac != r[b].covered_frac)
        return r[a].covered_frac < r[b].covered_frac ? -1 : 1;
    if (r[a].seat_covered != r[b].seat_covered)
        return r[a].seat_covered - r[b].seat_covered;
    return strcmp(map->t[a].code, map->t[b].code);
}

/* qsort has no user pointer; an insertion-merge sort keeps this reentrant. */
static void sort_worst_first(const struct goal_config *cfg, const struct tc_map *map,
                             const struct cov_result *r, int *ids,
                             int n, int *tmp)
{
    if (n < 2)
        return;
    int h = n / 2;
    sort_worst_first(cfg, map, r, ids, h, tmp);
    sort_worst_first(cfg, map, r, ids + h, n - h, tmp);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = worse(cfg, map, r, ids[i], ids[j]) <= 0 ? ids[i++] : ids[j++];
    while (i < h)
        tmp[k++] = ids[i++];
    while (j < n)
        tmp[k++] = ids[j++];
    memcpy(ids, tmp, sizeof *ids * (size_t)n);
}

int goal_judge(const struct goal_config *cfg, const struct tc_map *map,
               const struct cov_result *results, struct goal_verdict *v, struct tc_error *err)
{
    memset(v, 0, sizeof *v);
    if (cfg->population_min_fraction > 0 && !map->has_population)
        return tc_fail(err, TC_EXIT_SCENARIO, "goal.population_min_fraction needs people on "
                       "the map: [map] population or population_field");
    v->township_met = malloc((size_t)map->n);
    v->failing = malloc(sizeof *v->failing * (size_t)map->n);
    int *tmp = malloc(sizeof *tmp * (size_t)map->n);
    if (!v->township_met || !v->failing || !tmp) {
        free(tmp);
        goal_verdict_free(v);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    }
    /* Serial sums in township order: the same totals for any thread count. */
    for (int t = 0; t < map->n; t++) {
        v->township_met[t] = (unsigned char)goal_township_met(cfg, &results[t]);
        if (!v->township_met[t])
            v->failing[v->n_failing++] = t;
        v->covered_m2 += results[t].covered_m2;
        v->area_m2 += results[t].area_m2;
        v->seat_covered_m2 += results[t].seat_covered_m2;
        v->seat_area_m2 += results[t].seat_area_m2;
        v->seats_covered += results[t].seat_covered;
        v->population += results[t].population;
        v->population_covered += results[t].population_covered;
    }
    sort_worst_first(cfg, map, results, v->failing, v->n_failing, tmp);
    free(tmp);
    v->met = v->n_failing == 0;
    return 0;
}

void goal_verdict_free(struct goal_verdict *v)
{
    free(v->township_met);
    free(v->failing);
    v->township_met = NULL;
    v->failing = NULL;
}
