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

/* layerfile.c: a sites file that is a point layer of any OGR source, read
 * as the CSV would be (sites_read_csv); NULL with err naming the feature. */
struct tc_sites *sites_read_layer(const char *path, const struct sites_config *cfg, FILE *warn,
                                  struct tc_error *err);

#endif
