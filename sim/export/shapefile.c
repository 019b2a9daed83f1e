/* shapefile.c — a layer's .shp, .shx and .dbf (see export_int.h): planned
 * first (string widths, file sizes against the shapefile limits), then
 * written with shapelib through stdio hooks that skip needless seeks. */
#include "export_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/shplayer.h"

int export_check_size(const char *layer, double shp_bytes, double dbf_bytes,
                      struct tc_error *err)
{
    const char *ext = shp_bytes > EXPORT_FILE_MAX ? "shp" : "dbf";
    double got = shp_bytes > EXPORT_FILE_MAX ? shp_bytes : dbf_bytes;
    if (got <= EXPORT_FILE_MAX)
        return 0;
    return tc_fail(err, TC_EXIT_RESOURCE,
                   "export: layer %s would need a %.2f GB %s.%s, over the shapefile limit of "
                   "2 GB; nothing was exported (turn output.footprints off, or use fewer "
                   "stations or a simpler map)",
                   layer, got / 1073741824.0, layer, ext);
}

void export_plan_layer(const struct exporter *ex, const struct layer_spec *spec,
                       struct plan *p)
{
    p->spec = spec;
    p->n = spec->count(ex);
    p->cut = 0;
    p->nf = spec->fields_used ? spec->fields_used(ex) : spec->nf;
    memcpy(p->f, spec->fields, sizeof *p->f * (size_t)p->nf);
    for (int k = 0; k < p->nf; k++)
        if (p->f[k].type == FT_STR)
            p->f[k].width = 1; /* dBase needs at least one byte */
    p->shp_bytes = 100;
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        spec->row(ex, i, v);
        for (int k = 0; k < p->nf; k++)
            if (p->f[k].type == FT_STR) {
                int len = (int)shp_layer_text_len(v[k].s);
                p->cut += (size_t)len < strlen(v[k].s);
                p->f[k].width = len > p->f[k].width ? len : p->f[k].width;
            }
        p->shp_bytes += spec->shape_bytes(ex, i);
    }
    int rec = 1; /* the deletion flag */
    for (int k = 0; k < p->nf; k++)
        rec += p->f[k].width;
    p->dbf_bytes = 32 + 32.0 * p->nf + 1 + (double)p->n * rec + 1;
}

/* ---- writing -----------------------------------------------------------------*/
static int write_value(struct shp_layer *ly, long i, int k, const struct field *f,
                       const struct value *v, struct tc_error *err)
{
    if (v->null)
        return shp_layer_null(ly, (int)i, k, err);
    if (f->type == FT_STR)
        return shp_layer_text(ly, (int)i, k, v->s, err);
    if (f->type == FT_INT)
        return shp_layer_integer(ly, (int)i, k, (int)v->d, err);
    return shp_layer_double(ly, (int)i, k, v->d, err);
}

static int write_records(struct exporter *ex, const struct plan *p, struct shp_layer *ly,
                         struct tc_error *err)
{
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        memset(v, 0, sizeof v);
        p->spec->row(ex, i, v);
        if (p->spec->shape(ex, ly->shp, i, err) != 0)
            return -1;
        for (int k = 0; k < p->nf; k++)
            if (write_value(ly, i, k, &p->f[k], &v[k], err) != 0)
                return -1;
    }
    return 0;
}

static int add_fields(struct shp_layer *ly, const struct plan *p, struct tc_error *err)
{
    static const DBFFieldType types[] = {[FT_STR] = FTString, [FT_INT] = FTInteger,
                                         [FT_DBL] = FTDouble};
    for (int k = 0; k < p->nf; k++)
        if (shp_layer_field(ly, p->f[k].name, types[p->f[k].type], p->f[k].width,
                            p->f[k].decimals, err) != 0)
            return -1;
    return 0;
}

int export_write_layer(struct exporter *ex, const struct plan *p, struct tc_error *err)
{
    struct shp_layer ly;
    int rc = shp_layer_create(&ly, ex->dir, p->spec->name, p->spec->shp_type, err);
    if (rc == 0)
        rc = add_fields(&ly, p, err);
    if (rc == 0)
        rc = write_records(ex, p, &ly, err);
    return shp_layer_close(&ly, rc, ex->prj_wkt, err);
}
