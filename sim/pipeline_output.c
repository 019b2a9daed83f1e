/* pipeline_output.c — the run's output folder: where it goes, the check
 * that it may be replaced, and every file written into its temporary twin
 * (rasters, reports, QGIS layers, the picture, summary.json last). */
#include "pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/export.h"
#include "towncov/keypoints.h"
#include "towncov/outdir.h"
#include "towncov/picture.h"
#include "towncov/raster.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/seat.h"

/* The output folder, malloc'd: --out, else [output] dir, else out/<name>. */
char *pipeline_out_dir(const struct scenario *scn, const struct run_options *opt)
{
    char *dir = NULL;
    if (opt->out_dir)
        return strdup(opt->out_dir);
    if (scn->output.dir[0])
        return strdup(scn->output.dir);
    return asprintf(&dir, "out/%s", scn->info.name) < 0 ? NULL : dir;
}

/* Refuses an output folder towncov may not replace before any work: the
 * folders of every file the scenario reads are among those. */
int pipeline_check_out_dir(const struct scenario *scn, const char *dir, struct tc_error *err)
{
    struct outdir_inputs in = {0};
    int rc = scenario_inputs(scn, &in, err);
    if (rc == 0)
        rc = outdir_check_inputs(dir, &in, err);
    outdir_inputs_free(&in);
    return rc;
}

/* The QGIS layers and the picture read the results and write files of
 * their own: they run side by side, the picture in a child process of its
 * own (picture.h says why), the layers here with their threads; with one
 * thread, one after the other. Errors are reported layers first. */
static int write_layers_and_picture(const char *tmp, struct run_outcome *out, int threads,
                                    struct tc_error *err)
{
    const struct output_config *oc = out->output;
    struct tc_error picture_err = {0};
    struct picture_job *job = NULL;
    int layers_rc = 0, picture_rc = 0;
    if (oc->picture) {
        char *png = outdir_join(tmp, "map.png");
        if (!png)
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        picture_rc = picture_start(png, out, &job, &picture_err);
        free(png);
        if (picture_rc == 0 && threads == 1)
            picture_rc = picture_finish(&job, &picture_err);
    }
    if (oc->layers)
        layers_rc = export_layers(tmp, out, threads, err);
    if (picture_rc == 0)
        picture_rc = picture_finish(&job, &picture_err);
    if (layers_rc != 0) {
        picture_finish(&job, &picture_err); /* reaped whatever it says */
        return layers_rc;
    }
    if (picture_rc != 0)
        *err = picture_err;
    return picture_rc;
}

/* Writes one report file, name, into tmp. */
static int write_report(const char *tmp, const char *name,
                        int (*writer)(const char *, const struct run_outcome *,
                                      struct tc_error *),
                        const struct run_outcome *out, struct tc_error *err)
{
    char *path = outdir_join(tmp, name);
    int rc = path ? writer(path, out, err) : tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    free(path);
    return rc;
}

/* Writes every output into a temporary folder and swaps it into place:
 * reports, QGIS layers and the picture, then summary.json last so that it
 * can say how long the report phase took. */
int pipeline_write_outputs(const struct scenario *scn, struct run_state *st,
                         struct run_outcome *out, const char *dir, int threads, double t0,
                         const struct run_options *opt, struct tc_error *err)
{
    char *tmp;
    if (outdir_begin(dir, "run", &tmp, err) != 0)
        return -1;
    /* The PostGIS tables are committed last but the folder's rename: a
     * failure before then leaves the database as the folder, as it was. */
    struct export_postgis *pg = NULL;
    out->postgis_open = &pg;
    int rc = 0;
    /* The signal rasters first: the QGIS project lists them. */
    if (scn->raster.resolution_m > 0 && scn->radio.model != RADIO_LINK) {
        if (!opt->quiet) /* the disc model has no received power */
            fprintf(opt->log, "towncov: note: no signal rasters: they need radio.model = link\n");
    } else {
        struct raster_terrain ter = {st->dem, &scn->terrain, opt->log};
        rc = raster_write(tmp, &scn->raster, st->radio, out->map, out->sites, out->fp, &ter,
                          out->results, threads, &st->raster, err);
    }
    out->raster = &st->raster;
    if (rc == 0)
        rc = write_report(tmp, "townships.csv", report_write_csv, out, err);
    if (rc == 0)
        rc = write_report(tmp, "sites.csv", report_write_sites_csv, out, err);
    if (rc == 0 && out->seats->keys->n > 0)
        rc = write_report(tmp, "key_points.csv", report_write_key_points_csv, out, err);
    if (rc == 0)
        rc = write_layers_and_picture(tmp, out, threads, err);
    out->seconds[PHASE_REPORT] = tc_now() - t0;
    if (rc == 0)
        rc = write_report(tmp, "summary.json", report_write_json, out, err);
    if (rc == 0)
        rc = pipeline_interrupted(err);
    if (rc == 0 && !opt->postgis_open)
        rc = export_postgis_commit(&pg, err);
    if (rc == 0)
        rc = outdir_commit(&tmp, dir, err);
    if (rc == 0 && opt->postgis_open) { /* the caller commits, after its own files */
        *opt->postgis_open = pg;
        pg = NULL;
    }
    export_postgis_abort(&pg);
    out->postgis_open = NULL;
    outdir_abort(&tmp); /* nothing left after a commit */
    return rc;
}
