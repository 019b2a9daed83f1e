#!/usr/bin/python3
"""Independent check of towncov's numbers with other tools.

Runs towncov on the Jiangxi map (fewer stations than the default, to keep
the check short) and recomputes, without any towncov code:
  - each township's area as a geodesic area on the WGS 84 ellipsoid
    (pyproj.Geod, GeographicLib), read through GDAL/OGR: within 0.01 %;
  - each township's covered fraction with shapely (GEOS): the same 64-gon
    discs rebuilt from sites.csv, unary_union, intersection, area:
    within 1e-6;
  - whether each seat is covered.
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import configparser
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

from osgeo import ogr
from pyproj import CRS, Geod, Transformer
from shapely import wkb
from shapely.geometry import Point, Polygon
from shapely.ops import transform, unary_union
from shapely.strtree import STRtree

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*STRtree.*")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TOWNCOV_BIN", os.path.join(ROOT, "build", "towncov"))
SCENARIO = os.path.join(ROOT, "scenarios", "jiangxi-65k.ini")
SITES = 8000
VERTICES = 64
RADIUS = {"subdistrict": 400.0, "town": 900.0, "township": 1500.0, "special": 1200.0}
checks = {"passed": 0, "failed": 0}


def check(ok, what):
    checks["passed" if ok else "failed"] += 1
    if not ok:
        print("FAIL:", what)


def run_towncov(out):
    cmd = [BIN, "run", SCENARIO, "--quiet", "--out", out, "--set", "sites.count=%d" % SITES,
           "--set", "sites.strategy=weighted", "--set", "radio.model=disc",
           "--set", "radio.vertices=%d" % VERTICES]
    for kind, r in RADIUS.items():
        cmd += ["--set", "radio.radius_%s_m=%g" % (kind, r)]
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


def read_townships(shp):
    ds = ogr.Open(shp)
    layer = ds.GetLayer(0)
    out = {}
    for feat in layer:
        out[feat.GetField("code")] = (feat.GetField("name"), feat.GetField("kind"),
                                      wkb.loads(bytes(feat.GetGeometryRef().ExportToWkb())))
    return out


def disc(x, y, r, n):
    return Polygon([(x + r * math.cos(2 * math.pi * k / n), y + r * math.sin(2 * math.pi * k / n))
                    for k in range(n)])


def main():
    scn = configparser.ConfigParser(inline_comment_prefixes=(";",))
    scn.read(SCENARIO)
    radius, vertices = RADIUS, VERTICES
    map_file = os.path.normpath(os.path.join(os.path.dirname(SCENARIO), scn["map"]["file"]))

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        summary = run_towncov(out)
        with open(os.path.join(out, "townships.csv"), encoding="utf-8") as f:
            rows = {r["code"]: r for r in csv.DictReader(f)}
        with open(os.path.join(out, "sites.csv"), encoding="utf-8") as f:
            sites = list(csv.DictReader(f))

    lonlat = read_townships(map_file)
    check(len(rows) == len(lonlat) == summary["townships"], "township counts")
    check(len(sites) == SITES == summary["sites"], "site counts")

    geod = Geod(ellps="WGS84")
    worst_area = 0.0
    for code, (name, kind, geom) in lonlat.items():
        geodesic = abs(geod.geometry_area_perimeter(geom)[0])
        got = float(rows[code]["area_km2"]) * 1e6
        worst_area = max(worst_area, abs(got - geodesic) / geodesic)
        check(rows[code]["name"] == name and rows[code]["kind"] == kind, "attributes of " + code)
    check(worst_area <= 1e-4, "areas vs geodesic: worst relative error %.2e" % worst_area)

    to_metric = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_proj4(summary["metric_crs"]),
                                     always_xy=True).transform
    metric = {code: transform(to_metric, g) for code, (_, _, g) in lonlat.items()}
    kind_of = {code: rows[code]["kind"] for code in rows}
    discs = [disc(float(s["x_m"]), float(s["y_m"]), radius[kind_of[s["township"]]], vertices)
             for s in sites]
    tree = STRtree(discs)
    worst_frac = 0.0
    seat_mismatch = 0
    for code, poly in metric.items():
        near = [d for d in tree.query(poly) if d.intersects(poly)]
        covered = poly.intersection(unary_union(near)).area if near else 0.0
        frac = covered / poly.area
        worst_frac = max(worst_frac, abs(frac - float(rows[code]["covered_frac"])))
        sx, sy = to_metric(float(rows[code]["seat_lon"]), float(rows[code]["seat_lat"]))
        seat = Point(sx, sy)
        seat_cov = any(d.intersects(seat) for d in near)
        seat_mismatch += seat_cov != (rows[code]["seat_covered"] == "yes")
    check(worst_frac <= 1e-6, "covered_frac vs shapely: worst |diff| %.2e" % worst_frac)
    check(seat_mismatch == 0, "seat covered differs for %d townships" % seat_mismatch)
    print("independent check (GDAL, pyproj.Geod, shapely): %d townships, %d sites; worst area "
          "error %.2e (relative), worst covered_frac difference %.2e"
          % (len(rows), len(sites), worst_area, worst_frac))
    print("independent: %d passed, %d failed" % (checks["passed"], checks["failed"]))
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
