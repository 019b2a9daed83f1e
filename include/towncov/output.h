/* output.h — the scenario's [output] section: what a run writes and where.
 * The report stage (report.h) and the export stage (export.h, picture.h)
 * read it; the pipeline picks the folder. */
#ifndef TOWNCOV_OUTPUT_H
#define TOWNCOV_OUTPUT_H

#include "towncov/common.h"

/* Scenario section [output]; described by output_keys[]. */
struct output_config {
    char dir[TC_STR_MAX];  /* "" = out/<scenario name> */
    int layers;            /* write the QGIS layers, styles and project */
    int picture;           /* draw map.png */
    int footprints;        /* also export each station's footprint */
    long worst;            /* failing townships listed in the summary */
};

extern const struct key_desc output_keys[];
extern const int output_nkeys;

#endif
