/* The libraries' own lines routed through towncov's (libmsg.h): a PROJ
 * refusal and a full disk under GDAL or shapelib give one
 * `towncov: error:` line naming the file, never "proj_create: ..." or
 * "ERROR 1: ..." or "cannot write shapefile record -1". The full disk is
 * a small tmpfs, mounted where the test may (root); skipped, with the
 * reason printed, where it may not. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shapefil.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 14];

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *c = text; *c; c++)
        n += *c == '\n';
    return n;
}

/* towncov's own notes (the default scenario's census table has rows for
 * counties the map lacks) are not library lines: dropped before the check. */
static void drop_notes(void)
{
    char *w = out;
    for (const char *r = out; *r;) {
        const char *end = strchr(r, '\n');
        size_t len = end ? (size_t)(end - r + 1) : strlen(r);
        if (strncmp(r, "towncov: note: ", 15) != 0) {
            memmove(w, r, len);
            w += len;
        }
        r += len;
    }
    *w = '\0';
}

/* The output is one line: "towncov: error: " ... holding words. */
static void one_error_line(const char *words)
{
    drop_notes();
    cr_assert_eq(count_lines(out), 1, "not one line:\n%s", out);
    cr_assert(strncmp(out, "towncov: error: ", 16) == 0, "%s", out);
    cr_assert(strstr(out, words), "'%s' lacks '%s'", out, words);
}

/* Key points in a point shapefile whose .prj PROJ cannot read: PROJ
 * logged "proj_create: ..." on stderr beside towncov's error. */
Test(libmsg, a_prj_proj_refuses_gives_one_line)
{
    static const struct fx_township t[] = {
        {"1", "a", "c", "town", FX_SQUARE(-5000, -5000, 5000, 5000), 0, 0}};
    fx_tmpdir(dir, sizeof dir);
    char p[600];
    snprintf(p, sizeof p, "%s/map", dir);
    fx_write_map(p, t, 1);
    snprintf(p, sizeof p, "%s/kp", dir);
    SHPHandle shp = SHPCreate(p, SHPT_POINT);
    DBFHandle dbf = DBFCreate(p);
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 10, 0);
    double x = 0, y = 0;
    SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
    SHPWriteObject(shp, -1, o);
    SHPDestroyObject(o);
    DBFWriteStringAttribute(dbf, 0, 0, "1");
    SHPClose(shp);
    DBFClose(dbf);
    snprintf(p, sizeof p, "%s/kp.prj", dir);
    fx_write_text(p, "NOT A CRS[\"x\"]\n");
    snprintf(p, sizeof p, "%s/sites.csv", dir);
    fx_write_text(p, "id,lon,lat\ns1,0,0\n");
    snprintf(p, sizeof p, "%s/s.ini", dir);
    fx_write_text(p, "[map]\nfile = map.shp\nkey_points = kp.shp\n[sites]\nstrategy = file\n"
                     "file = sites.csv\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 5, "%s", out);
    one_error_line("kp.prj: not a coordinate system PROJ can read (");
}

/* A tmpfs of `size` at dir/disk; 0, or -1 (skip) with the reason printed. */
static int mount_small_disk(const char *size, char *mnt, size_t len)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(mnt, len, "%s/disk", dir);
    char opt[64];
    snprintf(opt, sizeof opt, "size=%s", size);
    if (geteuid() != 0 || mkdir(mnt, 0700) != 0 || mount("tmpfs", mnt, "tmpfs", 0, opt) != 0) {
        fprintf(stderr, "libmsg: skipped: cannot mount a %s tmpfs here (%s): needs root\n", size,
                geteuid() != 0 ? "not root" : strerror(errno));
        return -1;
    }
    return 0;
}

/* The bundled province with 3,000 stations into a full disk; the status. */
static int run_into(const char *mnt, const char *more)
{
    char args[1024];
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --quiet --threads 2 --set "
             "sites.count=3000 --out %s/out %s", mnt, more);
    int rc = fx_run(args, out, sizeof out);
    umount(mnt);
    return rc;
}

/* 1 MB: the CSV files fit, townships.shp does not. */
Test(libmsg, a_full_disk_while_writing_layers_names_the_file, .timeout = 600)
{
    char mnt[512];
    if (mount_small_disk("1m", mnt, sizeof mnt) != 0)
        cr_skip_test("cannot mount a tmpfs (not root)");
    cr_assert_eq(run_into(mnt, "--set raster.resolution_m=0"), 7, "%s", out);
    one_error_line(".shp: cannot write: No space left on device");
    cr_assert_null(strstr(out, "record -1"), "%s", out);
}

/* 3 MB: the rasters' strips do not fit; GDAL's own "ERROR 1:" lines are
 * not printed. */
Test(libmsg, a_full_disk_while_writing_rasters_is_one_line, .timeout = 600)
{
    char mnt[512];
    if (mount_small_disk("3m", mnt, sizeof mnt) != 0)
        cr_skip_test("cannot mount a tmpfs (not root)");
    cr_assert_eq(run_into(mnt, ""), 7, "%s", out);
    one_error_line(".tif: GDAL cannot");
}
