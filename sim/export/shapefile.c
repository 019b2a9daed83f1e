/* shapefile.c — a layer's .shp, .shx and .dbf (see export_int.h): planned
 * first (string widths, file sizes against the shapefile limits), then
 * written with shapelib through stdio hooks that skip needless seeks. */
#include "export_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/shpio.h"
#include "towncov/textenc.h"

/* A text value's bytes in a DBF field: whole up to the dBase limit, else
 * cut where a character starts (never inside one). */
static size_t dbf_text_len(const char *s)
{
    return textenc_utf8_prefix(s, strlen(s), EXPORT_STRING_MAX);
}

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
    memcpy(p->f, spec->fields, sizeof *p->f * (size_t)spec->nf);
    for (int k = 0; k < spec->nf; k++)
        if (p->f[k].type == FT_STR)
            p->f[k].width = 1; /* dBase needs at least one byte */
    p->shp_bytes = 100;
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        spec->row(ex, i, v);
        for (int k = 0; k < spec->nf; k++)
            if (p->f[k].type == FT_STR) {
                int len = (int)dbf_text_len(v[k].s);
                p->cut += (size_t)len < strlen(v[k].s);
                p->f[k].width = len > p->f[k].width ? len : p->f[k].width;
            }
        p->shp_bytes += spec->shape_bytes(ex, i);
    }
    int rec = 1; /* the deletion flag */
    for (int k = 0; k < spec->nf; k++)
        rec += p->f[k].width;
    p->dbf_bytes = 32 + 32.0 * spec->nf + 1 + (double)p->n * rec + 1;
}

/* ---- writing -----------------------------------------------------------------*/
static int write_value(DBFHandle dbf, long i, int k, const struct field *f,
                       const struct value *v)
{
    int ok;
    if (v->null) {
        ok = DBFWriteNULLAttribute(dbf, (int)i, k);
    } else if (f->type == FT_STR) {
        char buf[EXPORT_STRING_MAX + 1];
        size_t len = dbf_text_len(v->s);
        memcpy(buf, v->s, len);
        buf[len] = '\0';
        ok = DBFWriteStringAttribute(dbf, (int)i, k, buf);
    } else if (f->type == FT_INT) {
        ok = DBFWriteIntegerAttribute(dbf, (int)i, k, (int)v->d);
    } else {
        ok = DBFWriteDoubleAttribute(dbf, (int)i, k, v->d);
    }
    return ok ? 0 : -1;
}

static int write_records(struct exporter *ex, const struct plan *p, SHPHandle shp,
                         DBFHandle dbf, struct tc_error *err)
{
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        memset(v, 0, sizeof v);
        p->spec->row(ex, i, v);
        if (p->spec->shape(ex, shp, i, err) != 0)
            return -1;
        for (int k = 0; k < p->spec->nf; k++)
            if (write_value(dbf, i, k, &p->f[k], &v[k]) != 0)
                return tc_fail(err, TC_EXIT_OUTPUT, "%s/%s.dbf: record %ld, field %s: cannot "
                               "write the value", ex->dir, p->spec->name, i, p->f[k].name);
    }
    return 0;
}

/* shapelib ends the .dbf with an end-of-file mark after every record it
 * flushes and steps back over it for the next: a seek, so a write(2), per
 * record. The mark is left off until the last record, which DBFClose
 * flushes with it. */
static int write_dbf_records(struct exporter *ex, const struct plan *p, SHPHandle shp,
                             DBFHandle dbf, struct tc_error *err)
{
    DBFSetWriteEndOfFileChar(dbf, 0);
    int rc = write_records(ex, p, shp, dbf, err);
    DBFSetWriteEndOfFileChar(dbf, 1);
    return rc;
}

static int add_fields(DBFHandle dbf, const struct plan *p)
{
    static const DBFFieldType types[] = {[FT_STR] = FTString, [FT_INT] = FTInteger,
                                         [FT_DBL] = FTDouble};
    for (int k = 0; k < p->spec->nf; k++)
        if (DBFAddField(dbf, p->f[k].name, types[p->f[k].type], p->f[k].width,
                        p->f[k].decimals) < 0)
            return -1;
    return 0;
}

/* shapelib's file I/O through stdio, with the position kept here.
 * shapelib seeks before every record it writes, and a stdio seek flushes:
 * one write(2) per record, 130,000 for the stations of a province. A seek
 * to where the file already is is skipped instead. shapelib's own error
 * messages (on stderr) are silenced: the caller reports with the file name
 * and reason. */
struct sa_file {
    FILE *f;
    SAOffset pos;
    int writing; /* last transfer was a write (C wants a seek between directions) */
};

/* Before a read after a write, or a write after a read: a real seek. */
static void sa_turn(struct sa_file *s, int writing)
{
    if (s->writing >= 0 && s->writing != writing)
        fseek(s->f, (long)s->pos, SEEK_SET);
    s->writing = writing;
}

static SAFile sa_open(const char *path, const char *access)
{
    struct sa_file *s = malloc(sizeof *s);
    if (s && !(s->f = fopen(path, access))) {
        free(s);
        s = NULL;
    }
    if (s) {
        s->pos = 0;
        s->writing = -1; /* either direction may come first */
    }
    return (SAFile)(void *)s;
}

static SAOffset sa_read(void *p, SAOffset size, SAOffset n, SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    sa_turn(s, 0);
    SAOffset got = fread(p, size, n, s->f);
    long pos = ftell(s->f);
    s->pos = pos < 0 ? 0 : (SAOffset)pos;
    return got;
}

static SAOffset sa_write(void *p, SAOffset size, SAOffset n, SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    sa_turn(s, 1);
    SAOffset done = fwrite(p, size, n, s->f);
    s->pos += done * size;
    return done;
}

static SAOffset sa_seek(SAFile file, SAOffset offset, int whence)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    if ((whence == SEEK_SET && offset == s->pos) || (whence == SEEK_CUR && offset == 0))
        return 0;
    if (fseek(s->f, (long)offset, whence) != 0)
        return (SAOffset)-1;
    s->writing = -1;
    long pos = ftell(s->f);
    s->pos = pos < 0 ? 0 : (SAOffset)pos;
    return 0;
}

static SAOffset sa_tell(SAFile file)
{
    return ((struct sa_file *)(void *)file)->pos;
}

static int sa_flush(SAFile file)
{
    return fflush(((struct sa_file *)(void *)file)->f);
}

static int sa_close(SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    int rc = fclose(s->f);
    free(s);
    return rc;
}

static void sa_quiet(const char *message)
{
    (void)message;
}

static void sa_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->FOpen = sa_open;
    h->FRead = sa_read;
    h->FWrite = sa_write;
    h->FSeek = sa_seek;
    h->FTell = sa_tell;
    h->FFlush = sa_flush;
    h->FClose = sa_close;
    h->Error = sa_quiet;
}

int export_write_layer(struct exporter *ex, const struct plan *p, struct tc_error *err)
{
    char base[TC_PATH_MAX];
    snprintf(base, sizeof base, "%s/%s", ex->dir, p->spec->name);
    SAHooks hooks;
    sa_hooks(&hooks);
    errno = 0;
    SHPHandle shp = SHPCreateLL(base, p->spec->shp_type, &hooks);
    DBFHandle dbf = shp ? DBFCreateLL(base, "UTF-8", &hooks) : NULL;
    int rc;
    if (!shp || !dbf)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s.shp: cannot create: %s", base, strerror(errno));
    else if (add_fields(dbf, p) != 0)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s.dbf: cannot add the fields", base);
    else
        rc = write_dbf_records(ex, p, shp, dbf, err);
    if (shp)
        SHPClose(shp);
    if (dbf)
        DBFClose(dbf);
    if (rc == 0)
        rc = shpio_write_sidecars(base, ex->prj_wkt, err);
    return rc;
}
