#!/usr/bin/python3
"""bench/demgen.py — a deterministic synthetic DEM over a map's extent.

    bench/demgen.py MAP.shp OUT.tif [--cell-m 90] [--relief-m 1500] [--seed 1]

No open DEM of useful resolution ships with towncov (docs/terrain.md says how
to build one from SRTM or Copernicus tiles); this writes a stand-in for tests
and benchmarks: ridged fractal relief (octaves of bilinear value noise, each
folded as 1 - |n| so that ridges are sharp and valleys broad), heights 0 to
--relief-m metres, on a lon/lat grid (EPSG:4326, like SRTM) whose cells are
about --cell-m metres, covering the map's extent plus 20 km. The same
arguments give the same file, byte for byte. It is a model of relief, not
data: its ridges are nowhere in particular."""
import argparse
import math

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()


def extent_lonlat(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    xmin, xmax, ymin, ymax = lyr.GetExtent()
    src = lyr.GetSpatialRef()
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if src is None or src.IsSame(dst):
        return xmin, ymin, xmax, ymax
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    pts = [ct.TransformPoint(x, y)[:2] for x in np.linspace(xmin, xmax, 17)
           for y in np.linspace(ymin, ymax, 17)]
    xs, ys = zip(*pts)
    return min(xs), min(ys), max(xs), max(ys)


def value_noise(rng, ny, nx, cells):
    """Bilinear noise with `cells` random values across the longer side."""
    gy, gx = max(2, int(cells * ny / max(nx, ny)) + 2), max(2, int(cells * nx / max(nx, ny)) + 2)
    g = rng.random((gy, gx), dtype=np.float32) * 2 - 1
    y = np.linspace(0, gy - 1.001, ny, dtype=np.float32)
    x = np.linspace(0, gx - 1.001, nx, dtype=np.float32)
    iy, ix = y.astype(np.int32), x.astype(np.int32)
    ty, tx = (y - iy)[:, None], (x - ix)[None, :]
    a = g[iy][:, ix] * (1 - tx) + g[iy][:, ix + 1] * tx
    b = g[iy + 1][:, ix] * (1 - tx) + g[iy + 1][:, ix + 1] * tx
    return a * (1 - ty) + b * ty


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("map")
    ap.add_argument("out")
    ap.add_argument("--cell-m", type=float, default=90)
    ap.add_argument("--relief-m", type=float, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    lon0, lat0, lon1, lat1 = extent_lonlat(a.map)
    pad = 20000 / 111320
    lon0, lat0, lon1, lat1 = lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad
    dlat = a.cell_m / 111320
    dlon = dlat / math.cos(math.radians(0.5 * (lat0 + lat1)))
    nx, ny = int(math.ceil((lon1 - lon0) / dlon)), int(math.ceil((lat1 - lat0) / dlat))
    rng = np.random.default_rng(a.seed)
    z = np.zeros((ny, nx), dtype=np.float32)
    # wavelengths from ~60 km down to ~4 cells; ridged octaves, persistence 0.5
    size_m = max(nx, ny) * a.cell_m
    cells, amp, total = size_m / 60000, 1.0, 0.0
    while size_m / cells > 4 * a.cell_m:
        n = value_noise(rng, ny, nx, cells)
        z += amp * (1 - np.abs(n)) ** 2
        total += amp
        cells *= 2
        amp *= 0.5
    z -= z.min()
    z *= np.float32(a.relief_m / max(z.max(), 1e-6))
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(a.out, nx, ny, 1, gdal.GDT_Int16,
                    ["TILED=YES", "COMPRESS=DEFLATE", "BLOCKXSIZE=512", "BLOCKYSIZE=512"])
    ds.SetGeoTransform((lon0, dlon, 0, lat1, 0, -dlat))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds.SetProjection(srs.ExportToWkt())
    b = ds.GetRasterBand(1)
    b.SetNoDataValue(-32768)
    b.WriteArray(np.rint(z).astype(np.int16))
    ds = None
    print(f"{a.out}: {nx} x {ny} cells of {a.cell_m:.0f} m, 0-{a.relief_m:.0f} m, seed {a.seed}")


if __name__ == "__main__":
    main()
