/* synthetic.c — a synthetic province for benchmarks: an irregular blob of
 * the right area, split into counties by the same splitter the counties
 * use, with townships counted by county area, seeded kinds and names. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "towncov/rng.h"

#define SYNTH_LON 105.0
#define SYNTH_LAT 30.0
#define SYNTH_TOWNSHIP_KM2 95.0 /* Jiangxi's mean */
#define SYNTH_PER_COUNTY 18.0   /* Jiangxi: 1,767 townships in 100 counties */

/* rng streams of the synthetic province (county streams are code hashes) */
enum { STREAM_BLOB = 1, STREAM_PROVINCE, STREAM_KINDS, STREAM_NAMES };

static const char *const syllables[32] = {
    "an", "bai", "chang", "da", "dong", "feng", "gao", "he", "hong", "hua", "jin",
    "kang", "le", "lin", "long", "mei", "nan", "ning", "ping", "qing", "rui", "shan",
    "shi", "tai", "tian", "wan", "xi", "xin", "yang", "yong", "yun", "zhang"};

/* "Anping Town": two syllables from counter `ctr` plus a suffix. */
static char *synth_name(uint64_t seed, uint64_t ctr, const char *suffix)
{
    uint64_t r = rng_u64(seed, STREAM_NAMES, ctr);
    char buf[64];
    snprintf(buf, sizeof buf, "%s%s %s", syllables[r & 31], syllables[(r >> 5) & 31], suffix);
    buf[0] = (char)(buf[0] - 'a' + 'A');
    return mg_dup_str(buf);
}

/* An irregular blob of area_km2 around SYNTH_LON/LAT: a radius wobbling
 * with a few random harmonics, drawn in the sinusoidal (equal-area)
 * projection so that the area comes out right. */
static GEOSGeometry *synth_blob(struct mg_worker *w, uint64_t seed, double area_km2)
{
    enum { NB = 720 };
    static const double amp[4] = {0.10, 0.07, 0.04, 0.02};
    static const int harm[4] = {2, 3, 5, 7};
    double x[NB + 1], y[NB + 1], phase[4];
    for (int k = 0; k < 4; k++)
        phase[k] = 2.0 * M_PI * rng_uniform(seed, STREAM_BLOB, (uint64_t)k);
    for (int i = 0; i < NB; i++) {
        double t = 2.0 * M_PI * i / NB, r = 1.0;
        for (int k = 0; k < 4; k++)
            r += amp[k] * sin(harm[k] * t + phase[k]);
        x[i] = r * cos(t);
        y[i] = r * sin(t);
    }
    double s = sqrt(area_km2 / fabs(mg_shoelace(x, y, NB)));
    for (int i = 0; i < NB; i++) {
        double lat = SYNTH_LAT + s * y[i] / KM_PER_DEG;
        x[i] = SYNTH_LON + s * x[i] / (KM_PER_DEG * cos(lat * M_PI / 180.0));
        y[i] = lat;
    }
    x[NB] = x[0];
    y[NB] = y[0];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(w->tw->geos, x, y, NULL, NULL, NB + 1);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(w->tw->geos, seq) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(w->tw->geos, ring, NULL, 0) : NULL;
    GEOSGeometry *dense = poly ? mg_densify(w->tw->geos, poly, DENSIFY_DEG) : NULL;
    mg_destroy(w->tw->geos, &poly);
    return dense;
}

/* Township counts proportional to county area (largest remainder), at
 * least one each, summing to total. */
static int synth_counts(const double *area, int m, long total, int *count)
{
    double sum = 0.0;
    for (int i = 0; i < m; i++)
        sum += area[i];
    struct cand *rem = malloc(sizeof *rem * (size_t)m);
    if (!rem)
        return -1;
    long given = 0;
    for (int i = 0; i < m; i++) {
        double q = total * area[i] / sum;
        count[i] = (int)floor(q);
        rem[i] = (struct cand){-(q - count[i]), i}; /* largest remainder first */
        if (count[i] < 1)
            count[i] = 1;
        given += count[i];
    }
    qsort(rem, (size_t)m, sizeof *rem, mg_cmp_cand);
    for (int j = 0; given < total; j = (j + 1) % m, given++)
        count[rem[j].i]++;
    for (int j = m - 1; given > total; j = (j + m - 1) % m)
        if (count[rem[j].i] > 1)
            count[rem[j].i]--, given--;
    free(rem);
    return 0;
}

static enum tc_kind synth_kind(uint64_t seed, uint64_t i)
{
    double u = rng_uniform(seed, STREAM_KINDS, i);
    return u < 0.08 ? KIND_SUBDISTRICT : u < 0.53 ? KIND_TOWN : u < 0.95 ? KIND_TOWNSHIP
                                                                         : KIND_SPECIAL;
}

static int synth_townships(struct province *p, const int *count, uint64_t seed)
{
    static const char *const suffix[KIND_COUNT] = {"Subdistrict", "Town", "Township", "Farm"};
    for (int i = 0; i < p->nc; i++) {
        struct county *c = &p->c[i];
        c->first = p->nt;
        c->n = count[i];
        for (int j = 0; j < count[i]; j++) {
            struct mg_township *t = &p->t[p->nt];
            char code[32];
            snprintf(code, sizeof code, "%s%03d", c->code, j + 1);
            t->kind = synth_kind(seed, (uint64_t)p->nt);
            t->code = mg_dup_str(code);
            t->county_code = mg_dup_str(c->code);
            t->name = synth_name(seed, (1ULL << 40) + (uint64_t)p->nt, suffix[t->kind]);
            t->county = i;
            c->n_urban += t->kind == KIND_SUBDISTRICT;
            p->nt++;
            if (!t->code || !t->county_code || !t->name)
                return -1;
        }
    }
    return 0;
}

static int synth_county(struct province *p, int i, GEOSGeometry *cell, uint64_t seed)
{
    struct county *c = &p->c[i];
    char code[16];
    snprintf(code, sizeof code, "9%05d", i + 1);
    c->code = mg_dup_str(code);
    c->name = synth_name(seed, (uint64_t)i, "County");
    c->city = synth_name(seed, (1ULL << 32) + (uint64_t)(i / 10), "City");
    c->record = -1;
    c->fid = -1;
    c->declared = -1;
    c->geom = cell;
    c->stream = mg_hash_str(code);
    return c->code && c->name && c->city ? 0 : -1;
}

/* A province of `total` townships: an irregular blob split into counties
 * of ~SYNTH_PER_COUNTY townships by the same splitter the counties use. */
int mg_synthetic_read(struct mg_worker *w, long total, uint64_t seed, struct province *p,
                      struct tc_error *err)
{
    int m = (int)fmax(1.0, floor(total / SYNTH_PER_COUNTY + 0.5));
    p->shp_path = p->csv_path = "(synthetic)";
    GEOSGeometry *blob = synth_blob(w, seed, total * SYNTH_TOWNSHIP_KM2);
    struct split sp = {0};
    int rc = blob ? mg_split_polygon(w, blob, m, 0, seed, STREAM_PROVINCE, &sp)
                  : mg_geos_fail(w, "blob");
    mg_destroy(w->tw->geos, &blob);
    if (rc != 0)
        return tc_fail(err, TC_EXIT_INTERNAL, "synthetic province: %s", w->err.msg);
    double *area = malloc(sizeof *area * (size_t)m);
    int *count = malloc(sizeof *count * (size_t)m);
    p->c = calloc((size_t)m, sizeof *p->c);
    p->t = calloc((size_t)total, sizeof *p->t);
    rc = area && count && p->c && p->t ? 0 : -1;
    for (int i = 0; rc == 0 && i < m; i++) {
        area[i] = mg_geo_area_km2(w, sp.cell[i]);
        p->nc++;
        rc = synth_county(p, i, sp.cell[i], seed);
        sp.cell[i] = NULL;
    }
    if (rc == 0)
        rc = synth_counts(area, m, total, count);
    if (rc == 0)
        rc = synth_townships(p, count, seed);
    free(area);
    free(count);
    mg_split_free(w->tw->geos, &sp);
    return rc == 0 ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the synthetic "
                                 "province");
}
