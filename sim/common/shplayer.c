/* shplayer.c — one shapefile layer written (see shplayer.h). */
#include "towncov/shplayer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shpio_internal.h"
#include "towncov/shpio.h"
#include "towncov/textenc.h"

/* shapelib's file I/O through stdio, with the position kept here.
 * shapelib seeks before every record it writes, and a stdio seek flushes:
 * one write(2) per record, 130,000 for the stations of a province. A seek
 * to where the file already is is skipped instead. shapelib's own error
 * messages (on stderr) are silenced: the caller reports with the file name
 * and reason. */
struct sa_file {
    FILE *f;
    char *path;
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

/* The first failed write, flush, seek or close of a layer file on this
 * thread (shapelib reports only "failed", and a stdio buffer may fail only
 * at its flush): which file, and errno. Consumed by the layer's close. */
static _Thread_local struct {
    char path[TC_PATH_MAX];
    int errnum;
} io_failure;

static void note_failure(const struct sa_file *s)
{
    if (io_failure.errnum)
        return;
    io_failure.errnum = errno ? errno : EIO;
    snprintf(io_failure.path, sizeof io_failure.path, "%s", s->path);
}

int shpio_io_failure(struct tc_error *err)
{
    if (!io_failure.errnum)
        return 0;
    return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", io_failure.path,
                   strerror(io_failure.errnum));
}

static SAFile sa_open(const char *path, const char *access)
{
    struct sa_file *s = malloc(sizeof *s);
    if (s && !(s->path = strdup(path))) {
        free(s);
        s = NULL;
    }
    if (s && !(s->f = fopen(path, access))) {
        free(s->path);
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
    if (size == 0 || n == 0) /* DBFClose of a table with no fields passes NULL */
        return 0;
    sa_turn(s, 1);
    errno = 0;
    SAOffset done = fwrite(p, size, n, s->f);
    s->pos += done * size;
    if (done < n)
        note_failure(s);
    return done;
}

static SAOffset sa_seek(SAFile file, SAOffset offset, int whence)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    if ((whence == SEEK_SET && offset == s->pos) || (whence == SEEK_CUR && offset == 0))
        return 0;
    errno = 0;
    if (fseek(s->f, (long)offset, whence) != 0) {
        note_failure(s);
        return (SAOffset)-1;
    }
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
    struct sa_file *s = (struct sa_file *)(void *)file;
    errno = 0;
    int rc = fflush(s->f);
    if (rc != 0)
        note_failure(s);
    return rc;
}

static int sa_close(SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    errno = 0;
    int rc = fclose(s->f);
    if (rc != 0)
        note_failure(s);
    free(s->path);
    free(s);
    return rc;
}

/* shapelib's message for its last failure on this thread: SHPWriteObject
 * returns -1 both when a write fails (caught by note_failure) and when a
 * realloc of its record index fails, and only this message tells them
 * apart ("... Memory allocation error."). */
static _Thread_local char shapelib_message[200];

static void sa_keep_message(const char *message)
{
    snprintf(shapelib_message, sizeof shapelib_message, "%s", message ? message : "");
}

int shpio_write_failure(struct tc_error *err, const char *what)
{
    int memory = strstr(shapelib_message, "emory") != NULL;
    shapelib_message[0] = '\0';
    if (shpio_io_failure(err) != 0)
        return -1;
    if (memory)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory writing %s", what);
    return tc_fail(err, TC_EXIT_OUTPUT, "cannot write %s", what);
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
    h->Error = sa_keep_message;
}

int shp_layer_create(struct shp_layer *ly, const char *dir, const char *name, int shp_type,
                     struct tc_error *err)
{
    memset(ly, 0, sizeof *ly);
    size_t len = strlen(dir) + strlen(name) + 2;
    if (!(ly->base = malloc(len)))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    snprintf(ly->base, len, "%s/%s", dir, name);
    SAHooks hooks;
    sa_hooks(&hooks);
    shapelib_message[0] = '\0'; /* not an earlier layer's */
    errno = 0;
    ly->shp = SHPCreateLL(ly->base, shp_type, &hooks);
    ly->dbf = ly->shp ? DBFCreateLL(ly->base, "UTF-8", &hooks) : NULL;
    if (!ly->shp || !ly->dbf)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s.shp: cannot create: %s", ly->base,
                       strerror(errno));
    /* shapelib ends the .dbf with an end-of-file mark after every record it
     * flushes and steps back over it for the next: a seek, so a write(2),
     * per record. The mark is left off until DBFClose writes it. */
    DBFSetWriteEndOfFileChar(ly->dbf, 0);
    return 0;
}

int shp_layer_field(struct shp_layer *ly, const char *name, DBFFieldType type, int width,
                    int decimals, struct tc_error *err)
{
    if (width > SHPLAYER_TEXT_MAX || DBFAddField(ly->dbf, name, type, width, decimals) < 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s.dbf: cannot add field %s (width %d)", ly->base,
                       name, width);
    return 0;
}

static int value_failed(const struct shp_layer *ly, int rec, int field, struct tc_error *err)
{
    if (shpio_io_failure(err) != 0)
        return -1; /* a failed write: the file and the reason */
    char name[16] = "?";
    DBFGetFieldInfo(ly->dbf, field, name, NULL, NULL);
    return tc_fail(err, TC_EXIT_OUTPUT, "%s.dbf: record %d, field %s: cannot write the value",
                   ly->base, rec, name);
}

size_t shp_layer_text_len(const char *v)
{
    return textenc_utf8_prefix(v, strlen(v), SHPLAYER_TEXT_MAX);
}

int shp_layer_text(struct shp_layer *ly, int rec, int field, const char *v,
                   struct tc_error *err)
{
    char buf[SHPLAYER_TEXT_MAX + 1];
    size_t len = shp_layer_text_len(v);
    memcpy(buf, v, len);
    buf[len] = '\0';
    return DBFWriteStringAttribute(ly->dbf, rec, field, buf) ? 0
                                                             : value_failed(ly, rec, field, err);
}

/* shapelib writes a number as printf's "%W.Df" (the field's width and
 * decimals) right-aligned in the field: the same bytes are made here with
 * tc_format_fixed, at a fraction of printf's cost (a .dbf of 65,000
 * stations holds 260,000 of them), and stored as they are. A value too
 * wide for its field (shapelib cuts it and fails), more than 15 decimals
 * or a field that is not numeric goes to shapelib itself. */
int shp_layer_double(struct shp_layer *ly, int rec, int field, double v, struct tc_error *err)
{
    int width = 0, decimals = 0;
    char type = DBFGetNativeFieldType(ly->dbf, field);
    DBFGetFieldInfo(ly->dbf, field, NULL, &width, &decimals);
    char num[TC_FIXED_MAX], cell[TC_FIXED_MAX];
    int n = (type == 'N' || type == 'F') && decimals >= 0 && decimals <= 15 &&
                    width < TC_FIXED_MAX
                ? tc_format_fixed(num, v, decimals)
                : -1;
    if (n < 0 || n > width)
        return DBFWriteDoubleAttribute(ly->dbf, rec, field, v) ? 0
                                                               : value_failed(ly, rec, field, err);
    memset(cell, ' ', (size_t)(width - n));
    memcpy(cell + width - n, num, (size_t)n + 1);
    return DBFWriteAttributeDirectly(ly->dbf, rec, field, cell) ? 0
                                                                : value_failed(ly, rec, field, err);
}

int shp_layer_integer(struct shp_layer *ly, int rec, int field, int v, struct tc_error *err)
{
    return DBFWriteIntegerAttribute(ly->dbf, rec, field, v) ? 0
                                                            : value_failed(ly, rec, field, err);
}

int shp_layer_null(struct shp_layer *ly, int rec, int field, struct tc_error *err)
{
    return DBFWriteNULLAttribute(ly->dbf, rec, field) ? 0 : value_failed(ly, rec, field, err);
}

int shp_layer_close(struct shp_layer *ly, int rc, const char *prj_wkt, struct tc_error *err)
{
    if (ly->dbf) {
        DBFSetWriteEndOfFileChar(ly->dbf, 1);
        DBFClose(ly->dbf);
    }
    if (ly->shp)
        SHPClose(ly->shp);
    ly->dbf = NULL;
    ly->shp = NULL;
    /* A write that failed in any of this layer's files (the last buffer
     * flushed by the close included): named, and consumed. */
    size_t blen = ly->base ? strlen(ly->base) : 0;
    if (blen && io_failure.errnum && strncmp(io_failure.path, ly->base, blen) == 0) {
        if (rc == 0 || !strstr(err->msg, io_failure.path))
            rc = shpio_io_failure(err);
        io_failure.errnum = 0;
    }
    if (rc == 0 && ly->base)
        rc = shpio_write_sidecars(ly->base, prj_wkt, err);
    free(ly->base);
    ly->base = NULL;
    return rc;
}
