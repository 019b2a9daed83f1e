#!/usr/bin/python3
"""bench/terrain_agreement.py — how far the signal rasters and the footprints
agree, cell by cell, in one run's output folder.

    bench/terrain_agreement.py OUT_DIR [OUT_DIR ...]

OUT_DIR is a `towncov run` output with the rasters and the layers
(servers.tif and coverage.shp). A cell inside a township (servers.tif not
nodata) is "covered" for the raster when at least one station serves it
(servers >= 1), and for the footprints when its centre lies in the run's
covered part of its township (coverage.shp, the exact engine's union of
footprints, burnt by GDAL at cell centres). Prints, per folder, the cells
compared, the share where the two agree, and the two kinds of
disagreement: covered by the raster only (over terrain: mostly ground lit
again beyond a first shadow, which the star-shaped footprints drop; on
flat ground: sampling at the edges) and by the footprints only."""
import sys

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()


def agreement(out_dir):
    srv = gdal.Open(f"{out_dir}/servers.tif")
    band = srv.GetRasterBand(1)
    servers = band.ReadAsArray()
    inside = servers != int(band.GetNoDataValue())
    mem = gdal.GetDriverByName("MEM").Create("", srv.RasterXSize, srv.RasterYSize, 1,
                                             gdal.GDT_Byte)
    mem.SetGeoTransform(srv.GetGeoTransform())
    mem.SetProjection(srv.GetProjection())
    cov = ogr.Open(f"{out_dir}/coverage.shp")
    gdal.RasterizeLayer(mem, [1], cov.GetLayer(0), burn_values=[1])  # cell centres
    fp = mem.GetRasterBand(1).ReadAsArray() == 1
    ras = servers >= 1
    n = int(inside.sum())
    both = int((inside & (ras == fp)).sum())
    r_only = int((inside & ras & ~fp).sum())
    f_only = int((inside & fp & ~ras).sum())
    print(f"{out_dir}: {n} cells in townships; agree {100 * both / n:.2f} %; "
          f"raster only {100 * r_only / n:.2f} %; footprints only {100 * f_only / n:.2f} %; "
          f"covered: raster {100 * int((inside & ras).sum()) / n:.2f} %, "
          f"footprints {100 * int((inside & fp).sum()) / n:.2f} %")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        agreement(d)
