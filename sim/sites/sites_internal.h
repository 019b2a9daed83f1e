/* sites_internal.h — what the sites stage's files share (private to
 * sim/sites/). */
#ifndef TOWNCOV_SITES_INTERNAL_H
#define TOWNCOV_SITES_INTERNAL_H

#include "towncov/sites.h"

/* A set of n stations with every array allocated (ids and radio settings
 * NULL); NULL when out of memory. Freed with sites_free. */
struct tc_sites *sites_alloc(long n);

/* The first count stations of the Webster (Sainte-Laguë) divisor sequence
 * over n townships of weight[] (webster.c): township[k] is the township of
 * drawn station k, quota[t] ends as township t's number of them. The first
 * m entries are the same for any count >= m. Returns 0; -1 when every
 * weight is 0 (whatever the count); -2 when out of memory. */
int sites_webster(const double *weight, int n, long count, int *township, long *quota);

/* The same sequence continued from given[t] stations already in unit t
 * (a floor placed before it; NULL: none): priorities start at
 * weight / (given + 0.5) and quota[t] ends counting them. */
int sites_webster_from(const double *weight, int n, const long *given, long count,
                       int *township, long *quota);

/* Station k's slot in the unit-major layout: unit u's stations take slots
 * first[u] .. first[u] + quota[u] - 1 by rank (a counting sort of the
 * sequence unit[0..count-1]); first[u] is filled too. */
void sites_slots(const int *unit, long count, int n, const long *quota, long *first, long *slot);

struct tc_seat_areas;
/* strategy = demand (demand.c): the stations of s (s->n = cfg->count) by
 * zone, s->zone set; with a subset, *draw gets the townships drawn
 * (sites_choose_drawn's, the caller frees). 0, or -1 with err. */
int sites_place_demand(const struct sites_config *cfg, const struct tc_map *map,
                       const struct tc_seat_areas *seats, unsigned long long seed, int threads,
                       const struct sites_subset *subset, unsigned char **draw,
                       struct tc_sites *s, struct tc_error *err);

/* The townships whose stations are drawn (sites_place_some): a malloc'd
 * map->n flags from subset->choose once s->township is set, or NULL for
 * every township (no subset). *failed = 1 when out of memory or choose
 * failed (err set). */
unsigned char *sites_choose_drawn(const struct sites_subset *subset, const struct tc_map *map,
                                  const struct tc_sites *s, int *failed, struct tc_error *err);

/* strategy = demand with sites.density (density.c): the stations of s by
 * the raster at path (resolved), s->zone left NULL. 0, or -1 with err
 * (exit 5 for a raster GDAL or PROJ cannot use). */
int sites_place_density(const struct sites_config *cfg, const struct tc_map *map,
                        const char *path, unsigned long long seed, int threads,
                        struct tc_sites *s, struct tc_error *err);

/* layerfile.c: a sites file that is a point layer of any OGR source, read
 * as the CSV would be (sites_read_csv); NULL with err naming the feature. */
struct tc_sites *sites_read_layer(const char *path, const struct sites_config *cfg, FILE *warn,
                                  struct tc_error *err);

#endif
