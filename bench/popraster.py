#!/usr/bin/python3
"""bench/popraster.py — a synthetic population raster over a map, from the map's own people.

    bench/popraster.py MAP/townships.shp OUT.tif [--seat-areas MAP/seat_areas.shp]
                       [--cell-arcsec 3] [--compress LZW] [--block-rows 1024]

For `[sites] density` at the scale of a real one: a float32 GeoTIFF of people per cell on a
lon/lat grid (EPSG:4326) with cells of --cell-arcsec seconds of arc (3": about 100 m, the grid
of WorldPop's and GHS-POP's "100 m" products), covering the map's extent. It is SYNTHETIC: no
open township population exists (docs/population.md), so the people are the map's own
modelled figures (the township attributes `population`, `urban_pop`, `rural_pop` that
`towncov mapgen --population` writes): each township's urban people spread evenly (per square
metre) over its cells in its seat area (`seat_areas.shp`, joined by `code`; a subdistrict's
whole land), its rural people over its other cells. A cell belongs to the polygon holding its
centre (GDAL's rasteriser). A zone with no cell gives its people to the township's other zone;
a township with no cell at all puts its people in the cell holding its seat (`seat_lon`,
`seat_lat`), so the raster sums to the map's total (printed; float32 rounding aside).
Tiled 512 x 512, compressed as WorldPop's GeoTIFFs are (LZW, no predictor) unless --compress
says otherwise (e.g. DEFLATE-PRED3: DEFLATE with the floating-point predictor, smaller and
slower to read).

The same inputs give the same file, byte for byte. Memory: one block of rows at a time."""
import argparse
import math
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
EARTH_R = 6371008.8  # mean radius (IUGG), m: the cells' areas on the sphere


def wgs84():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def read_townships(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    need = ("code", "kind", "population", "urban_pop", "rural_pop", "seat_lon", "seat_lat")
    names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(lyr.GetLayerDefn().GetFieldCount())]
    missing = [n for n in need if n not in names]
    if missing:
        sys.exit(f"popraster: {path}: no field {', '.join(missing)} (build the map with "
                 "towncov mapgen --population)")
    tw = [dict((n, f[n]) for n in need) for f in lyr]
    return ds, lyr, tw


def memory_layer(src_lyr, keep, index_of):
    """The features of src_lyr whose code keep() accepts, with `idx` = index_of(code) + 1."""
    mem = ogr.GetDriverByName("Memory").CreateDataSource("m")
    lyr = mem.CreateLayer("z", src_lyr.GetSpatialRef(), ogr.wkbMultiPolygon)
    lyr.CreateField(ogr.FieldDefn("idx", ogr.OFTInteger))
    src_lyr.ResetReading()
    for f in src_lyr:
        code = f["code"]
        if not keep(code):
            continue
        g = ogr.Feature(lyr.GetLayerDefn())
        g.SetField("idx", index_of[code] + 1)
        g.SetGeometry(f.GetGeometryRef().Clone())
        lyr.CreateFeature(g)
    return mem, lyr


def rasterise(lyr, gt, nx, rows):
    """int32 block of `rows` rows: each cell's idx (0: none)."""
    ds = gdal.GetDriverByName("MEM").Create("", nx, rows, 1, gdal.GDT_Int32)
    ds.SetGeoTransform(gt)
    ds.SetProjection(wgs84().ExportToWkt())
    gdal.RasterizeLayer(ds, [1], lyr, options=["ATTRIBUTE=idx"])
    return ds.GetRasterBand(1).ReadAsArray()


def blocks(ny, block_rows):
    for r0 in range(0, ny, block_rows):
        yield r0, min(block_rows, ny - r0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("townships")
    ap.add_argument("out")
    ap.add_argument("--seat-areas", help="default: seat_areas.shp beside the townships")
    ap.add_argument("--cell-arcsec", type=float, default=3.0)
    ap.add_argument("--compress", default="LZW", help="LZW, DEFLATE, DEFLATE-PRED3 or NONE")
    ap.add_argument("--block-rows", type=int, default=1024)
    a = ap.parse_args()
    seat_path = a.seat_areas or a.townships.rsplit("/", 1)[0] + "/seat_areas.shp"

    tds, tlyr, tw = read_townships(a.townships)
    srs = tlyr.GetSpatialRef()
    if srs is None or not srs.IsSame(wgs84()):
        sys.exit(f"popraster: {a.townships}: expected lon/lat (EPSG:4326) polygons")
    index_of = {t["code"]: i for i, t in enumerate(tw)}
    n = len(tw)
    cell = a.cell_arcsec / 3600.0
    xmin, xmax, ymin, ymax = tlyr.GetExtent()
    x0, y1 = math.floor(xmin / cell) * cell, math.ceil(ymax / cell) * cell
    nx, ny = int(math.ceil((xmax - x0) / cell)), int(math.ceil((y1 - ymin) / cell))

    t_mem, t_lyr = memory_layer(tlyr, lambda c: True, index_of)  # keep the sources alive
    sds = ogr.Open(seat_path)
    sub = {t["code"] for t in tw if t["kind"] == "subdistrict"}
    s_mem, s_lyr = memory_layer(sds.GetLayer(0), lambda c: c in index_of and c not in sub, index_of)
    is_sub = np.array([t["kind"] == "subdistrict" for t in tw])

    def row_area(r0, rows):  # m^2 of a cell in each row (sphere)
        top = np.radians(y1 - cell * np.arange(r0, r0 + rows))
        return EARTH_R ** 2 * math.radians(cell) * (np.sin(top) - np.sin(top - math.radians(cell)))

    def zones(r0, rows):
        gt = (x0, cell, 0.0, y1 - r0 * cell, 0.0, -cell)
        t = rasterise(t_lyr, gt, nx, rows)
        s = rasterise(s_lyr, gt, nx, rows)
        urban = (s > 0) & (s == t)  # a seat cell counts where its own township holds it
        urban |= (t > 0) & is_sub[np.maximum(t - 1, 0)]
        return t, urban

    # Pass 1: each zone's area (zone 2i: township i's rural, 2i+1: urban).
    area = np.zeros(2 * n + 2)
    for r0, rows in blocks(ny, a.block_rows):
        t, urban = zones(r0, rows)
        z = np.where(t > 0, 2 * (t - 1) + urban, 2 * n)
        area += np.bincount(z.ravel(), weights=np.broadcast_to(row_area(r0, rows)[:, None], z.shape).ravel(),
                            minlength=2 * n + 2)
    people = np.zeros(2 * n + 2)
    seat_cell = {}
    for i, t in enumerate(tw):
        u, r = float(t["urban_pop"]), float(t["rural_pop"])
        if area[2 * i + 1] == 0:
            u, r = 0.0, u + r
        if area[2 * i] == 0:
            u, r = u + r, 0.0
        if area[2 * i] == 0 and area[2 * i + 1] == 0:  # no cell: all at the seat
            col = int((t["seat_lon"] - x0) / cell)
            row = int((y1 - t["seat_lat"]) / cell)
            seat_cell[(row, col)] = seat_cell.get((row, col), 0.0) + t["population"]
            u = 0.0
        people[2 * i], people[2 * i + 1] = r, u
    density = np.divide(people, area, out=np.zeros_like(people), where=area > 0)

    drv = gdal.GetDriverByName("GTiff")
    out = drv.Create(a.out, nx, ny, 1, gdal.GDT_Float32,
                     ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "BIGTIFF=IF_SAFER"]
                     + (["COMPRESS=DEFLATE", "PREDICTOR=3"] if a.compress == "DEFLATE-PRED3"
                        else ["COMPRESS=" + a.compress]))
    out.SetGeoTransform((x0, cell, 0.0, y1, 0.0, -cell))
    out.SetProjection(wgs84().ExportToWkt())
    band = out.GetRasterBand(1)
    band.SetDescription("people per cell (SYNTHETIC: the map's modelled township figures, "
                        "bench/popraster.py)")
    total = 0.0
    for r0, rows in blocks(ny, a.block_rows):
        t, urban = zones(r0, rows)
        z = np.where(t > 0, 2 * (t - 1) + urban, 2 * n)
        v = (density[z] * row_area(r0, rows)[:, None]).astype(np.float32)
        for (row, col), p in seat_cell.items():
            if r0 <= row < r0 + rows and 0 <= col < nx:
                v[row - r0, col] += np.float32(p)
        total += float(v.sum(dtype=np.float64))
        band.WriteArray(v, 0, r0)
    out.SetMetadataItem("SYNTHETIC", "yes: modelled from the map's township population, "
                        "not data")
    out.FlushCache()
    out = None
    want = sum(t["population"] for t in tw)
    print(f"{a.out}: {nx} x {ny} cells of {a.cell_arcsec:g}\" ({nx * ny:,}), "
          f"people {total:,.0f} (the map's {want:,}); townships at their seat cell: "
          f"{len(seat_cell)}")


if __name__ == "__main__":
    main()
