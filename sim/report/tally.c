/* tally.c — counts over a run that the summary and summary.json share
 * (see report_int.h). */
#include "report_int.h"

#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/run_outcome.h"
#include "towncov/sites.h"

/* Townships the exact engine declined (degenerate contacts) and GEOS
 * computed instead: rare, and worth knowing when it is not. */
int report_townships_by_geos(const struct run_outcome *run)
{
    int n = 0;
    for (int t = 0; t < run->map->n; t++)
        n += run->results[t].by_geos;
    return n;
}

void report_radio_by_kind(const struct run_outcome *run, struct radio_row rows[KIND_COUNT])
{
    memset(rows, 0, sizeof(struct radio_row) * KIND_COUNT);
    for (long i = 0; i < run->sites->n; i++) {
        int t = run->sites->township[i];
        int k = t >= 0 ? (int)run->map->t[t].kind : KIND_SPECIAL;
        const struct radio_range_info *info = footprint_info(run->fp, i);
        struct radio_row *r = &rows[k];
        if (!r->stations++) {
            r->band = info->band;
            r->model = info->pathloss;
            r->min_range = info->min_range_m;
            r->max_range = info->max_range_m;
        }
        r->min_range = info->min_range_m < r->min_range ? info->min_range_m : r->min_range;
        r->max_range = info->max_range_m > r->max_range ? info->max_range_m : r->max_range;
        r->sum_max_range += info->max_range_m;
    }
}
