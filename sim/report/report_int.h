/* report_int.h — what the report's writers share (private to sim/report/):
 * tallies of a run that both the terminal summary and summary.json print. */
#ifndef TOWNCOV_REPORT_INT_H
#define TOWNCOV_REPORT_INT_H

#include "towncov/common.h"
#include "towncov/run_outcome.h"
#include "towncov/report.h"

/* What the radio model gave the stations of one township kind. */
struct radio_row {
    long stations;
    const char *band, *model;
    double min_range, max_range; /* shortest and longest reach of any footprint */
    double sum_max_range;
};

/* rows[k]: the stations of kind k (stations outside every township count as
 * special) and the reach the radio model gave them; rows with no stations
 * are all zero. Strings are borrowed from run->fp. */
void report_radio_by_kind(const struct run_outcome *run, struct radio_row rows[KIND_COUNT]);

/* Townships the exact engine declined (degenerate contacts) and GEOS
 * computed instead. */
int report_townships_by_geos(const struct run_outcome *run);

/* Prints s left-aligned in `width` terminal columns (CJK characters take
 * two), then one space. */
void report_print_cell(FILE *out, const char *s, int width);

/* The province (11..99) of a 6-digit GB/T 2260 county code, -1 otherwise;
 * its name ("江西省"), NULL for a code no province has. */
int report_province_of(const char *county_code);
const char *report_province_name(int code);

/* "By province": townships, failing, covered shares per province, for maps
 * whose counties all have codes and span two provinces or more. */
void report_print_by_province(FILE *out, const struct run_outcome *run);

#endif
