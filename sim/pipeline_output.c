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

/* map.png is drawn in a child process of its own (picture.h says why)
 * while this process writes everything else: started as soon as what it
 * draws exists (at once for the coverage picture; after the rasters when
 * it is drawn from one), waited for last. With one thread it is waited
 * for at once, so that the run keeps to one core. Its error comes after
 * every other output's, whatever the thread count. */
struct picture_run {
    struct picture_job *job;
    int rc;
    struct tc_error err;
};

static void picture_begin(const char *tmp, const struct run_outcome *out, int threads,
                          struct picture_run *p)
{
    char *png = outdir_join(tmp, "map.png");
    if (!png) {
        p->rc = tc_fail(&p->err, TC_EXIT_RESOURCE, "out of memory");
        return;
    }
    p->rc = picture_start(png, out, &p->job, &p->err);
    free(png);
    if (p->rc == 0 && threads == 1)
        p->rc = picture_finish(&p->job, &p->err);
}

/* rc: the status of the other outputs; when one failed, the picture is
 * stopped, no longer wanted. */
static int picture_end(struct picture_run *p, int rc, struct tc_error *err)
{
    if (rc != 0) {
        picture_cancel(&p->job);
        return rc;
    }
    if (p->rc == 0)
        p->rc = picture_finish(&p->job, &p->err);
    if (p->rc != 0)
        *err = p->err;
    return p->rc;
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
 * rasters, reports, QGIS layers and the picture (beside them all), then
 * summary.json last so that it can say how long the report phase took. */
int pipeline_write_outputs(const struct scenario *scn, struct run_state *st,
                         struct run_outcome *out, const char *dir, int threads, double t0,
                         const struct run_options *opt, struct tc_error *err)
{
    char *tmp;
    if (outdir_begin(dir, "run", &tmp, err) != 0)
        return -1;
    /* The PostGIS tables are committed last, once the new folder stands in
     * place: a failure before then leaves the database as the folder, as
     * it was, and a failed commit puts the earlier folder back. */
    struct export_postgis *pg = NULL;
    out->postgis_open = &pg;
    int rc = 0;
    const struct output_config *oc = out->output;
    struct picture_run pic = {0};
    int picture_now = oc->picture && oc->picture_layer == PICTURE_COVERAGE;
    if (picture_now)
        picture_begin(tmp, out, threads, &pic);
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
    if (rc == 0 && oc->picture && !picture_now)
        picture_begin(tmp, out, threads, &pic);
    if (rc == 0)
        rc = write_report(tmp, "townships.csv", report_write_csv, out, err);
    if (rc == 0)
        rc = write_report(tmp, "sites.csv", report_write_sites_csv, out, err);
    if (rc == 0 && out->seats->keys->n > 0)
        rc = write_report(tmp, "key_points.csv", report_write_key_points_csv, out, err);
    if (rc == 0 && oc->layers)
        rc = export_layers(tmp, out, threads, err);
    rc = picture_end(&pic, rc, err);
    out->seconds[PHASE_REPORT] = tc_now() - t0;
    if (rc == 0)
        rc = write_report(tmp, "summary.json", report_write_json, out, err);
    if (rc == 0)
        rc = pipeline_interrupted(err);
    /* The PostGIS commit last, with the new folder in place: when it fails
     * (or an interrupt comes first) the earlier folder is put back. */
    outdir_last_fn commit = opt->postgis_open ? NULL : export_postgis_commit_last;
    if (rc == 0)
        rc = outdir_commit_last(&tmp, dir, commit, &pg, err);
    if (rc == 0 && opt->postgis_open) { /* the caller commits, after its own files */
        *opt->postgis_open = pg;
        pg = NULL;
    }
    export_postgis_abort(&pg);
    out->postgis_open = NULL;
    outdir_abort(&tmp); /* nothing left after a commit */
    return rc;
}
