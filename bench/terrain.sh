#!/bin/sh
# bench/terrain.sh — the default scenario over a 90 m DEM of Jiangxi
# ([terrain] model = delta-bullington) against model = none, 2 threads:
#   1. rasters off: the footprint phase is what terrain changes;
#   2. rasters at 500 m (the default): the rasters' cost over the terrain
#      is run 2's minus run 1's, for each model;
#   3. the per-cell agreement of the rasters and the footprints
#      (bench/terrain_agreement.py, layers on);
#   4. `towncov link`: the reach distribution and what the first-shadow
#      rule drops.
# The DEM is `towncov demgen`'s synthetic relief (0-1,500 m), made on
# demand into bench/dem/ (not committed). Whole-process CPU and peak memory
# come from /usr/bin/time -v; quote CPU on a shared machine.
#   TOWNCOV_BIN=build/towncov bench/terrain.sh [RUNS]
set -eu
BIN=${TOWNCOV_BIN:-build/towncov}
RUNS=${1:-3}
DEM=bench/dem/jiangxi-90m.tif
OUT=${TMPDIR:-/tmp}/towncov-bench-terrain
mkdir -p bench/dem "$OUT"
[ -f "$DEM" ] || "$BIN" demgen maps/jiangxi/townships.shp --out "$DEM" --cell-m 90 \
    --relief-m 1500 --seed 1
COMMON="--threads 2 --quiet --set output.layers=no --set output.picture=no"
TERRAIN="--set terrain.model=delta-bullington --set terrain.dem=../$DEM"
timed() { # NAME ARGS...: one run, its CPU, wall and peak memory
    name=$1; shift
    /usr/bin/time -f "$name cpu %U+%S s wall %e s peak %M KiB" \
        "$BIN" run scenarios/jiangxi-65k.ini $COMMON "$@" --out "$OUT/$name" >/dev/null
}
echo "== build"; "$BIN" --version | head -1
i=0
while [ $i -lt "$RUNS" ]; do # A B A B ...: pairs see the same machine
    timed terrain-norast $TERRAIN --set raster.resolution_m=0
    timed none-norast --set raster.resolution_m=0
    timed terrain-rast $TERRAIN
    timed none-rast
    i=$((i + 1))
done
echo "== raster seconds (the last runs' summary.json)"
for m in terrain none; do
    /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['raster']; \
print(sys.argv[2], {k: r[k] for k in ('seconds', 'cells_seconds', 'consistency_mean')})" \
        "$OUT/$m-rast/summary.json" "$m"
done
echo "== per-cell agreement of rasters and footprints"
"$BIN" run scenarios/jiangxi-65k.ini --threads 2 --quiet --set output.picture=no $TERRAIN \
    --out "$OUT/agree-terrain" >/dev/null
"$BIN" run scenarios/jiangxi-65k.ini --threads 2 --quiet --set output.picture=no \
    --out "$OUT/agree-none" >/dev/null
/usr/bin/python3 bench/terrain_agreement.py "$OUT/agree-terrain" "$OUT/agree-none"
echo "== towncov link with the DEM"
"$BIN" link scenarios/jiangxi-65k.ini $TERRAIN | sed -n '/Reach over/,$p'
