/* run_outcome.h — what a run hands its writers: the phases it times and
 * struct run_outcome, the results and the pieces of the scenario the
 * writers (report.h, export.h, picture.h, the sweep) print. Data only: the
 * driver (pipeline.h) fills it; nothing here calls back into the driver. */
#ifndef TOWNCOV_RUN_OUTCOME_H
#define TOWNCOV_RUN_OUTCOME_H

struct tc_map;
struct tc_sites;
struct tc_footprints;
struct tc_seat_areas;
struct cov_result;
struct cov_parts;
struct goal_config;
struct goal_verdict;
struct radio_config;
struct output_config;
struct export_postgis;
struct export_whole_texts;
struct raster_outcome;

/* The phases a run times, in order. */
enum phase { PHASE_LOAD, PHASE_PLACE, PHASE_FOOTPRINTS, PHASE_COVERAGE, PHASE_GOAL,
             PHASE_REPORT, PHASE_COUNT };

/* "load", "place", ...: the names the summary and summary.json print
 * (static storage). */
static inline const char *phase_name(enum phase p)
{
    static const char *const names[PHASE_COUNT] = {"load", "place", "footprints",
                                                   "coverage", "goal", "report"};
    return names[p];
}

/* What the run was, as the reports name it. */
struct run_info {
    const char *name;          /* the scenario's name */
    const char *scenario_path; /* the file it was read from */
    long seed;
    int engine;                /* enum cov_engine_id: the coverage engine that ran */
};

/* Everything a run produced, and the pieces of the scenario its writers
 * print, borrowed by them for the call: each pointer stays owned by the
 * pipeline (or a test) and outlives it. */
struct run_outcome {
    struct run_info info;
    const struct goal_config *goal;     /* what the verdict judged by */
    const struct radio_config *radio;   /* model, heights and sectors: the sites layer */
    const struct output_config *output; /* which files to write */
    const struct tc_map *map;
    const struct tc_sites *sites;
    const struct tc_footprints *fp;
    const struct tc_seat_areas *seats;
    const struct cov_result *results;
    const struct cov_parts *parts;   /* covered parts as rings; NULL: not kept */
    const struct goal_verdict *verdict;
    const struct raster_outcome *raster; /* the signal rasters written (layers 0: none) */
    int threads;
    long marked_sites;  /* map.png marks the last this many stations (the plan's added) */
    const char *extra_layer; /* also to PostGIS (pipeline.h's run_options); NULL: none */
    const struct export_whole_texts *extra_texts; /* its whole texts (export.h); NULL */
    struct export_postgis **postgis_open; /* non-NULL: the PostGIS write is left open
                                             there, uncommitted (export.h) */
    double seconds[PHASE_COUNT];
    unsigned long long checksum;
};

#endif
