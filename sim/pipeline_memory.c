/* pipeline_memory.c — the run's memory estimates and the room it has, in
 * one place (see pipeline_internal.h): a run that cannot fit is refused
 * with exit 6 before the work, never killed by the kernel halfway.
 *
 * Two checks. Before placement: what the stations, their footprints and
 * the index hold, linear in stations (an absurd sites.count fails before
 * anything is allocated). After the footprints, before the coverage: what
 * the coverage engine holds for the densest townships, which is not linear
 * in stations (docs/robustness.md, "Memory estimate", has the calibration
 * and how to redo it when the engine changes). */
#include "pipeline_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/projection.h"
#include "towncov/radio.h"
#include "towncov/sites.h"

/* ---- the room ------------------------------------------------------------ */

/* This process's address space and resident set now (bytes), from
 * /proc/self/statm; 0 where it cannot be read. */
static void process_size(double *vm, double *rss)
{
    *vm = *rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return;
    unsigned long size = 0, resident = 0;
    if (fscanf(f, "%lu %lu", &size, &resident) == 2) {
        double page = (double)sysconf(_SC_PAGE_SIZE);
        *vm = (double)size * page;
        *rss = (double)resident * page;
    }
    fclose(f);
}

void pipeline_memory_room(struct memory_room *r)
{
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    double vm, rss;
    process_size(&vm, &rss);
    memset(r, 0, sizeof *r);
    r->machine = phys;
    /* 80 % of the machine: the kernel, the page cache and the writers'
     * buffers need the rest. */
    r->left = phys > 0 ? 0.8 * phys - rss : -1;
    r->what = "this machine's memory";
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        /* ulimit -v counts address space: what is mapped now (libraries,
         * thread stacks, malloc's arenas) is spent already. */
        double left = (double)rl.rlim_cur - vm;
        r->limit_as = (double)rl.rlim_cur;
        if (r->left < 0 || left < r->left) {
            r->left = left > 0 ? left : 0;
            r->what = "the address-space limit (ulimit -v)";
        }
    }
}

/* ---- before placement: linear in stations --------------------------------- */

/* Bytes the later stages will hold for n stations: placement, footprints
 * (generated stations share their kind's shape, so a footprint is its
 * place, shape and envelope) and the index. */
static double stations_bytes(long n_sites, int n_townships, double shape_bytes)
{
    double per_site = sites_bytes_estimate(1) + 6 * sizeof(double) + sizeof(int) +
                      4 * sizeof(long) + shape_bytes;
    return (double)n_sites * per_site + (double)n_townships * 256.0;
}

/* On a map wider than a province each station may have a shape of its own
 * (drawn at its scale; see projection.h): its vertices, facts, hash and
 * offset, and two slots of the shape table. */
static double own_shape_bytes(const struct scenario *scn, const struct tc_map *map)
{
    /* over terrain every station has a shape of its own too */
    if (!(map->scale_error > PROJECTION_SCALE_TOL) && scn->terrain.model == TERRAIN_NONE)
        return 0;
    return 2.0 * sizeof(double) * radio_footprint_max_vertices(&scn->radio) +
           sizeof(struct radio_range_info) + sizeof(uint64_t) + 3 * sizeof(long);
}

int pipeline_check_stations_memory(const struct scenario *scn, const struct run_options *opt,
                                   const struct tc_map *map, struct tc_error *err)
{
    if (scn->sites.strategy == SITES_FILE)
        return 0; /* bounded by the file's size, which is already on disk */
    long n = scn->sites.count;
    double need = stations_bytes(n, map->n, own_shape_bytes(scn, map));
    struct memory_room room;
    pipeline_memory_room(&room);
    if (!opt->quiet)
        fprintf(opt->log, "towncov: memory estimate %.0f MB for %ld stations (machine: %.0f MB)\n",
                need / 1e6, n, room.machine / 1e6);
    if (room.left >= 0 && need > room.left)
        return tc_fail(err, TC_EXIT_RESOURCE,
                       "%ld stations would need about %.1f GB of memory; %s leaves %.1f GB "
                       "(lower sites.count)", n, need / 1e9, room.what, room.left / 1e9);
    return 0;
}

/* ---- before the coverage: the densest townships --------------------------- */

/* The model, calibrated on the exact engine (docs/robustness.md; pairs
 * refitted from 40 to 32 B after the dense-township pruning, and to 1 B
 * once covered edges were no longer paired with each other): for
 * township t with k candidate footprints (envelopes meeting t's) of V
 * vertices in all, the engine's scratch holds about
 *     COV_BYTES_PER_VERTEX * V + COV_BYTES_PER_PAIR * P
 * where P estimates the candidate pairs whose envelopes overlap (their
 * crossings are the events the engine keeps): k(k-1)/2 times the mean
 * chance that two candidates, placed at random over the region their
 * centres share with t, overlap. Both constants are fitted; recalibrate
 * them here (and only here) when the engine changes. */
#define COV_BYTES_PER_VERTEX 88.0
#define COV_BYTES_PER_PAIR 1.0

/* Township t's candidates into *ids (grown as needed; *cap its room);
 * their count, or -1 out of memory. */
static long township_candidates(const struct township *t, const struct tc_footprints *fp,
                                const struct cov_index *ix, long **ids, long *cap)
{
    long n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, *ids, *cap);
    if (n > *cap) {
        long *more = realloc(*ids, sizeof *more * (size_t)n);
        if (!more)
            return -1;
        *ids = more;
        *cap = n;
        n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, *ids, *cap);
    }
    return n;
}

/* Township t's estimate from its n candidates ids (ascending). */
static double township_bytes(const struct township *t, const struct tc_footprints *fp,
                             const long *ids, long n)
{
    if (n <= 0)
        return 0;
    double verts = 0, w = 0, h = 0;
    for (long i = 0; i < n; i++) {
        long f = ids[i];
        int s = fp->shape[f];
        verts += (double)(fp->shape_off[s + 1] - fp->shape_off[s]);
        w += fp->xmax[f] - fp->xmin[f];
        h += fp->ymax[f] - fp->ymin[f];
    }
    w /= (double)n;
    h /= (double)n;
    /* the centres of candidates lie within half an envelope of t's */
    double region = (t->xmax - t->xmin + w) * (t->ymax - t->ymin + h);
    double chance = region > 0 ? 4.0 * w * h / region : 1.0;
    if (chance > 1.0)
        chance = 1.0;
    double pairs = 0.5 * (double)n * (double)(n - 1) * chance;
    return COV_BYTES_PER_VERTEX * verts + COV_BYTES_PER_PAIR * pairs;
}

static int by_bytes_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

double pipeline_coverage_bytes(const struct tc_map *map, const struct tc_footprints *fp,
                               int threads, struct coverage_densest *densest)
{
    memset(densest, 0, sizeof *densest);
    densest->township = -1;
    if (fp->n == 0 || map->n == 0)
        return 0;
    /* Cells about as large as the largest footprint: each footprint is
     * bucketed in at most four (the engine's own index, a cell a
     * footprint, would cost what it estimates). */
    double fw = 1, fh = 1;
    for (long i = 0; i < fp->n; i++) {
        fw = fw > fp->xmax[i] - fp->xmin[i] ? fw : fp->xmax[i] - fp->xmin[i];
        fh = fh > fp->ymax[i] - fp->ymin[i] ? fh : fp->ymax[i] - fp->ymin[i];
    }
    double cells = (map->xmax - map->xmin + fw) * (map->ymax - map->ymin + fh) / (fw * fh);
    struct cov_index *ix =
        cov_index_new_sized(map, fp, cells < 1 ? 1 : cells > (double)fp->n ? fp->n : (long)cells);
    double *bytes = malloc(sizeof *bytes * (size_t)map->n);
    long *count = malloc(sizeof *count * (size_t)map->n);
    int failed = !ix || !bytes || !count;
    /* Townships apart, in parallel: each thread its own candidate list
     * (the index is only read); the densest taken after, in order. */
    if (!failed) {
        #pragma omp parallel num_threads(threads > 0 ? threads : 1) reduction(|| : failed)
        {
            long cap = 0, *ids = NULL;
            #pragma omp for schedule(dynamic, 16)
            for (int t = 0; t < map->n; t++) {
                long n = failed ? -1 : township_candidates(&map->t[t], fp, ix, &ids, &cap);
                failed = failed || n < 0;
                count[t] = n;
                bytes[t] = n < 0 ? 0 : township_bytes(&map->t[t], fp, ids, n);
            }
            free(ids);
        }
    }
    cov_index_free(&ix);
    if (failed) {
        free(bytes);
        free(count);
        return -1;
    }
    for (int t = 0; t < map->n; t++)
        if (densest->township < 0 || bytes[t] > densest->bytes) {
            densest->township = t;
            densest->bytes = bytes[t];
            densest->footprints = count[t];
        }
    free(count);
    /* Each thread keeps its scratch at the largest township it did: at
     * worst the `threads` largest at once. */
    qsort(bytes, (size_t)map->n, sizeof *bytes, by_bytes_desc);
    double total = cov_index_bytes(map, fp);
    densest->index_bytes = total;
    for (int t = 0; t < map->n && t < threads; t++)
        total += bytes[t];
    free(bytes);
    return total;
}

int pipeline_check_coverage_memory(const struct run_options *opt, const struct tc_map *map,
                                   const struct tc_footprints *fp, struct tc_error *err)
{
    struct coverage_densest d;
    double need = pipeline_coverage_bytes(map, fp, opt->threads, &d);
    if (need < 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory estimating the coverage's memory");
    struct memory_room room;
    pipeline_memory_room(&room);
    if (!opt->quiet)
        fprintf(opt->log, "towncov: coverage memory estimate %.0f MB (%s leaves %.0f MB)\n",
                need / 1e6, room.what, room.left / 1e6);
    if (d.township < 0 || room.left < 0 || need <= room.left)
        return 0;
    return tc_fail(err, TC_EXIT_RESOURCE,
                   "the coverage would need about %.0f MB of memory (densest township %s: %ld "
                   "footprints reach it; %d thread%s); %s leaves %.0f MB (lower sites.count or "
                   "--threads, or raise the limit)",
                   need / 1e6, map->t[d.township].code, d.footprints, opt->threads,
                   opt->threads == 1 ? "" : "s", room.what, room.left / 1e6);
}
