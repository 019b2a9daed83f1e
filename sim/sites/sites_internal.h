/* sites_internal.h — what the sites stage's files share (private to
 * sim/sites/). */
#ifndef TOWNCOV_SITES_INTERNAL_H
#define TOWNCOV_SITES_INTERNAL_H

#include "towncov/sites.h"

/* A set of n stations with every array allocated (ids and radio settings
 * NULL); NULL when out of memory. Freed with sites_free. */
struct tc_sites *sites_alloc(long n);

#endif
