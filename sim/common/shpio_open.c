/* shpio_open.c — opening exactly the shapefile named, and its text
 * attributes decoded (see shpio.h). */
#define _POSIX_C_SOURCE 200809L
#include "towncov/shpio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "towncov/textenc.h"

/* ---- opening and attributes ---------------------------------------------*/

/* shapelib reports through a hook without user data: keep the last
 * message per thread (shapelib handles are used by one thread anyway). */
static _Thread_local char shapelib_msg[512];

static void on_shapelib_error(const char *message)
{
    snprintf(shapelib_msg, sizeof shapelib_msg, "%s", message);
}

/* path + ext, trying the extension's upper case when only that exists. */
static char *sidecar_path(const char *base, const char *ext)
{
    size_t len = strlen(base) + strlen(ext) + 1;
    char *p = malloc(len);
    if (!p)
        return NULL;
    snprintf(p, len, "%s%s", base, ext);
    if (access(p, F_OK) != 0) {
        for (char *c = p + strlen(base); *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        if (access(p, F_OK) != 0)
            snprintf(p, len, "%s%s", base, ext);
    }
    return p;
}

static int open_fail(struct tc_error *err, const char *what, const char *file)
{
    return tc_fail(err, TC_EXIT_MAP, "%s: %s%s%s", file, what, shapelib_msg[0] ? ": " : "",
                   shapelib_msg);
}

/* Says what to do about a missing .shx rather than shapelib's advice (a
 * GDAL option towncov does not have). */
static int missing_shx(const char *shp_path, const char *shx_path, struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_MAP,
                   "%s: the shapefile's index %s is missing; copy it from where the .shp "
                   "came from, or let GDAL rebuild it beside the .shp: "
                   "ogrinfo --config SHAPE_RESTORE_SHX YES '%s'",
                   shp_path, shx_path, shp_path);
}

/* shapelib opens its files with fopen, which blocks on a FIFO: each part
 * that is there (.shp, .shx, .dbf, .cpg, .prj) must be a regular file (a
 * missing part is reported by whoever needs it). */
static int check_parts(const char *base, const char *shp_path, const char *shx,
                       struct tc_error *err)
{
    static const char *const ext[] = {".dbf", ".cpg", ".prj"};
    char *parts[5] = {NULL, NULL};
    int rc = 0;
    for (int i = 0; i < 3; i++)
        if (!(parts[2 + i] = sidecar_path(base, ext[i])))
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    const char *why;
    for (int i = 0; rc == 0 && i < 5; i++) {
        const char *p = i == 0 ? shp_path : i == 1 ? shx : parts[i];
        if (access(p, F_OK) == 0 && tc_check_regular(p, &why) != 0)
            rc = tc_fail(err, TC_EXIT_MAP, "%s: cannot open: %s", p, why);
    }
    for (int i = 2; i < 5; i++)
        free(parts[i]);
    return rc;
}

int shpio_open(const char *path, SHPHandle *shp, DBFHandle *dbf, char **base_out,
               struct tc_error *err)
{
    *shp = NULL;
    if (dbf)
        *dbf = NULL;
    size_t n = strlen(path);
    int has_ext = n > 4 && strcasecmp(path + n - 4, ".shp") == 0;
    char *base = strdup(path), *shp_path = NULL, *shx = NULL;
    if (!base)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (has_ext)
        base[n - 4] = '\0';
    shp_path = has_ext ? strdup(path) : sidecar_path(base, ".shp");
    shx = sidecar_path(base, ".shx");
    int rc = shp_path && shx ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    SAHooks hooks;
    SASetupDefaultHooks(&hooks);
    hooks.Error = on_shapelib_error;
    shapelib_msg[0] = '\0';
    if (rc == 0 && access(shp_path, R_OK) != 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: cannot open: %s", shp_path, strerror(errno));
    else if (rc == 0 && access(shx, F_OK) != 0)
        rc = missing_shx(shp_path, shx, err);
    if (rc == 0)
        rc = check_parts(base, shp_path, shx, err);
    /* Given with its .shp, shapelib strips only that extension. */
    if (rc == 0 && !(*shp = SHPOpenLL(shp_path, "rb", &hooks)))
        rc = open_fail(err, "cannot open the shapefile (.shp/.shx)", shp_path);
    if (rc == 0 && dbf && !(*dbf = DBFOpenLL(shp_path, "rb", &hooks))) {
        char *dbf_path = sidecar_path(base, ".dbf");
        rc = open_fail(err, "cannot open the attribute table", dbf_path ? dbf_path : base);
        free(dbf_path);
    }
    if (rc != 0) {
        if (*shp)
            SHPClose(*shp);
        *shp = NULL;
    }
    free(shp_path);
    free(shx);
    if (rc == 0 && base_out)
        *base_out = base;
    else
        free(base);
    return rc;
}

char *shpio_read_text(DBFHandle dbf, int fid, int field, const char *encoding, int *cut)
{
    *cut = 0;
    if (field < 0 || DBFIsAttributeNULL(dbf, fid, field))
        return strdup("");
    const char *raw = DBFReadStringAttribute(dbf, fid, field);
    if (!raw) {
        errno = EILSEQ;
        return NULL;
    }
    char *text = textenc_decode(encoding, raw, strlen(raw), cut);
    if (!text)
        return NULL;
    size_t k = strspn(text, " \t\r\n");
    size_t len = strlen(text + k);
    while (len && strchr(" \t\r\n", text[k + len - 1]))
        len--;
    memmove(text, text + k, len);
    text[len] = '\0';
    return text;
}
