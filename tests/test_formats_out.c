/* towncov.gpkg ([output] format, docs/formats.md): every vector layer of
 * the run in one GeoPackage with its style stored as the default in
 * layer_styles, a spatial index and the towncov_run table; QGIS (PyQGIS,
 * headless) opens it styled as the .qml files, CJK names intact, and the
 * project on it; each format writes only its files; a failed run leaves the
 * earlier GeoPackage as it was. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, fx_grid4, 4);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = 格式\nseed = 5\n[map]\nfile = map.shp\n"
                        "[sites]\nstrategy = weighted\ncount = 300\n[radio]\nvertices = 32\n"
                        "[raster]\nresolution_m = 0\n[output]\nfootprints = yes\n");
}

TestSuite(formats_out, .init = setup);

static int run(const char *name, const char *more)
{
    char args[2048];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --threads 2 --out %s/%s %s", dir, dir,
             name, more);
    return fx_run(args, out, sizeof out);
}

static int exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static char *read_out(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fx_read_file(path, NULL);
}

static const char qgis_gpkg_check[] =
    "import csv, json, os, re, sqlite3, sys\n"
    "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
    "from qgis.core import QgsApplication, QgsProject, QgsVectorLayer\n"
    "app = QgsApplication([], False); app.initQgis()\n"
    "d = sys.argv[1]; g = os.path.join(d, 'towncov.gpkg')\n"
    "names = ['townships', 'coverage', 'seat_areas', 'seats', 'sites', 'footprints']\n"
    "for n in names:\n"
    "    l = QgsVectorLayer(g + '|layername=' + n, n, 'ogr')\n"
    "    assert l.isValid(), n\n"
    "    assert l.featureCount() > 0, n\n"
    "    qml = open(os.path.join(d, n + '.qml'), encoding='utf-8').read()\n"
    "    want = re.search(r'<renderer-v2[^>]* type=\"(\\w+)\"', qml).group(1)\n"
    "    assert l.renderer().type() == want, (n, l.renderer().type(), want)\n"
    "    shp = QgsVectorLayer(os.path.join(d, n + '.shp'), n, 'ogr')\n"
    "    assert shp.featureCount() == l.featureCount(), n\n"
    "t = QgsVectorLayer(g + '|layername=townships', 't', 'ogr')\n"
    "rows = {r['code']: r['name'] for r in csv.DictReader(open(os.path.join(d, 'townships.csv'), encoding='utf-8'))}\n"
    "got = {f['code']: f['name'] for f in t.getFeatures()}\n"
    "assert got == rows and '滕王阁街道' in got.values(), got\n"
    "db = sqlite3.connect(g)\n"
    "for n in names:\n"
    "    assert db.execute(\"select count(*) from gpkg_extensions where table_name=? and extension_name='gpkg_rtree_index'\", (n,)).fetchone()[0] == 1, n\n"
    "    assert db.execute('select useAsDefault from layer_styles where f_table_name=?', (n,)).fetchone()[0] == 1, n\n"
    "    qml = open(os.path.join(d, n + '.qml'), encoding='utf-8').read()\n"
    "    assert db.execute('select styleQML from layer_styles where f_table_name=?', (n,)).fetchone()[0] == qml, n\n"
    "s = json.load(open(os.path.join(d, 'summary.json'), encoding='utf-8'))\n"
    "run = db.execute('select scenario, seed, checksum, verdict from towncov_run').fetchall()\n"
    "assert run == [('格式', 5, s['checksum'], 'met' if s['goal_met'] else 'not met')], (run, s.get('goal_met'))\n"
    "p = QgsProject.instance()\n"
    "assert p.read(os.path.join(d, 'towncov.qgs')), 'read failed'\n"
    "vec = [l for l in p.mapLayers().values() if isinstance(l, QgsVectorLayer)]\n"
    "assert sorted(l.name() for l in vec) == sorted(names), [l.name() for l in vec]\n"
    "for l in vec:\n"
    "    assert l.isValid(), l.name()\n"
    "    assert l.source().endswith('towncov.gpkg|layername=' + l.name()), l.source()\n"
    "print('ok')\n";

Test(formats_out, qgis_opens_the_gpkg_styled_and_the_project_on_it, .timeout = 180)
{
    cr_assert_eq(run("out", "--set output.format=both"), 0, "%s", out);
    char script[512], cmd[1200];
    snprintf(script, sizeof script, "%s/check.py", dir);
    fx_write_text(script, qgis_gpkg_check);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s/out' 2>&1", script, dir);
    int rc = fx_sh(cmd, out, sizeof out);
    cr_assert(rc == 0 && strstr(out, "ok\n"), "PyQGIS: %s", out);
}

Test(formats_out, each_format_writes_only_its_files)
{
    cr_assert_eq(run("shp", "--set output.format=shapefile"), 0, "%s", out);
    cr_assert(exists("shp/townships.shp") && exists("shp/townships.qml"));
    cr_assert_not(exists("shp/towncov.gpkg"));
    char *qgs = read_out("shp/towncov.qgs");
    cr_assert(qgs && strstr(qgs, "<datasource>./townships.shp</datasource>"));
    free(qgs);
    cr_assert_eq(run("gpkg", "--set output.format=gpkg"), 0, "%s", out);
    cr_assert(exists("gpkg/towncov.gpkg") && exists("gpkg/townships.csv"));
    const char *gone[] = {"townships.shp", "townships.dbf", "townships.qml", "sites.shp",
                          "footprints.prj", "coverage.cpg"};
    for (int i = 0; i < 6; i++) {
        char name[64];
        snprintf(name, sizeof name, "gpkg/%s", gone[i]);
        cr_assert_not(exists(name), "%s written under format = gpkg", name);
    }
    qgs = read_out("gpkg/towncov.qgs");
    cr_assert(qgs && strstr(qgs, "<datasource>./towncov.gpkg|layername=townships</datasource>"));
    free(qgs);
}

Test(formats_out, a_failed_run_leaves_the_earlier_gpkg)
{
    cr_assert_eq(run("out", "--set output.format=gpkg"), 0, "%s", out);
    char gpkg[512], copy[512];
    snprintf(gpkg, sizeof gpkg, "%s/out/towncov.gpkg", dir);
    snprintf(copy, sizeof copy, "%s/before.gpkg", dir);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", gpkg, copy);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run("out", "--set output.format=gpkg --set map.file=missing.gpkg"), 4, "%s",
                 out);
    cr_assert(fx_same_file(gpkg, copy), "the failed run touched towncov.gpkg");
}
