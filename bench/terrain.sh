#!/bin/sh
# bench/terrain.sh — the default scenario over a 90 m DEM of Jiangxi
# ([terrain] model = delta-bullington) side by side with model = none, with
# farm-bench, 2 threads, rasters off (the footprint phase is what terrain
# changes), then `towncov link` for the reach distribution and the share
# the first-shadow rule drops. The DEM is bench/demgen.py's synthetic
# relief (0-1,500 m), made on demand into bench/dem/ (not committed).
#   TOWNCOV_BIN=build/towncov bench/terrain.sh [RUNS]
set -eu
BIN=${TOWNCOV_BIN:-build/towncov}
RUNS=${1:-3}
DEM=bench/dem/jiangxi-90m.tif
OUT=${TMPDIR:-/tmp}/towncov-bench-terrain
mkdir -p bench/dem "$OUT"
[ -f "$DEM" ] || /usr/bin/python3 bench/demgen.py maps/jiangxi/townships.shp "$DEM" \
    --cell-m 90 --relief-m 1500 --seed 1
COMMON="--threads 2 --set raster.resolution_m=0 --set output.layers=no --set output.picture=no"
TERRAIN="--set terrain.model=delta-bullington --set terrain.dem=../$DEM"
echo "== build"; "$BIN" --version
echo "== terrain (A) vs none (B), whole process"
farm-bench -n "$RUNS" --warmup 0 --timeout 3600 \
    --vs "sh -c 'exec $BIN run scenarios/jiangxi-65k.ini $COMMON --out $OUT/none >>$OUT/none.log 2>&1'" \
    -- sh -c "exec $BIN run scenarios/jiangxi-65k.ini $COMMON $TERRAIN --out $OUT/terrain >>$OUT/terrain.log 2>&1"
echo "== phases (summary line of each run)"
grep -h "Phases" "$OUT/terrain.log" "$OUT/none.log"
echo "== towncov link with the DEM"
"$BIN" link scenarios/jiangxi-65k.ini $TERRAIN | sed -n '/Reach over/,$p'
