#!/usr/bin/env bash
# valgrind memcheck over towncov's good path and every class of bad input:
# no invalid access and no definite or indirect leak on any path, error
# paths included. Usage: tests/leakcheck.sh BUILD/towncov
# Each case is one process: the good paths on the province's map with a few
# thousand stations (valgrind runs them ~30x slower), the others on a
# corner of it.
set -uo pipefail
bin=${1:?usage: tests/leakcheck.sh path/to/towncov}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$(cd "$(dirname "$0")/.." && pwd)
map="$root/maps/jiangxi/townships.shp"

cat >"$tmp/good.ini" <<INI
[scenario]
name = leak
[map]
file = $map
[sites]
count = 3000
[radio]
model = link
[raster]
resolution_m = 2000
INI
# The bad inputs and the terrain path need no province: the 16 townships
# around (116.0, 28.5), cut from the map by GDAL, keep those processes short
# (the same reading and checking code; under valgrind the whole map alone
# takes minutes to load).
small="$tmp/small.shp"
ogr2ogr -q -lco ENCODING=UTF-8 -spat 115.95 28.45 116.15 28.65 "$small" "$map"
printf '[map]\nfile = %s\n[sites]\ncuont = 3\n' "$small" >"$tmp/unknown-key.ini"
printf '[map]\nfile = %s/none.shp\n' "$tmp" >"$tmp/missing-map.ini"
printf 'id,lon,lat\na,116.0,28.5\nb,abc,28\n' >"$tmp/bad.csv"
printf 'id,lon,lat\na,116.0,28.5\na,116.1,28.6\n' >"$tmp/dup.csv"
printf 'id,lon,lat\na,100.0,10.0\n' >"$tmp/outside.csv"
for c in bad dup outside; do
  printf '[map]\nfile = %s\n[sites]\nstrategy = file\nfile = %s/%s.csv\n' "$small" "$tmp" "$c" \
    >"$tmp/sites-$c.ini"
done
cp "$tmp/small.shp" "$tmp/t.shp"
cp "$tmp/small.shx" "$tmp/t.shx"
head -c 1500 "$tmp/small.dbf" >"$tmp/t.dbf"
printf '[map]\nfile = %s/t.shp\n' "$tmp" >"$tmp/truncated-dbf.ini"

# People (county table, demand-drawn stations, the measured seat areas)
# written as shapefiles and a GeoPackage.
cat >"$tmp/people.ini" <<INI
[scenario]
name = leak-people
[map]
file = $map
population = $root/maps/census/county_population_2020.csv
seat_areas = $root/maps/jiangxi/seat_areas.shp
[sites]
strategy = demand
count = 3000
[raster]
resolution_m = 0
[output]
format = both
INI
printf 'code,population,urban_share\n360102,many,0.5\n' >"$tmp/badpop.csv"
# Terrain over a DEM (flat 100 m, EPSG:4326, made by GDAL), the map read
# from a GeoPackage through OGR; a GeoPackage of two layers needs map.layer.
gdal_create -q -of GTiff -outsize 240 240 -bands 1 -ot Int16 -burn 100 -a_srs EPSG:4326 \
  -a_ullr 113.5 30.1 118.6 24.4 "$tmp/dem.tif"
ogr2ogr -q -f GPKG -nlt MULTIPOLYGON "$tmp/t.gpkg" "$small" -nln townships
ogr2ogr -q -f GPKG -nlt MULTIPOLYGON "$tmp/two.gpkg" "$small" -nln alpha
ogr2ogr -q -update -f GPKG -nlt MULTIPOLYGON "$tmp/two.gpkg" "$small" -nln beta
cat >"$tmp/terrain.ini" <<INI
[scenario]
name = leak-terrain
[map]
file = $tmp/t.gpkg
[sites]
count = 200
[radio]
model = link
[raster]
resolution_m = 0
[terrain]
model = delta-bullington
dem = $tmp/dem.tif
INI

# "STATUS ARGS": the exit status each case must give (a good path that
# fails early would otherwise leave its code unchecked). Each case has its
# own output folder; the slow good paths first, so the pool ends together.
cases=(
  "0 run $tmp/good.ini --quiet --threads 2 --out $tmp/good"
  "0 run $tmp/good.ini --quiet --threads 2 --out $tmp/footprints --set output.footprints=yes"
  "0 run $tmp/people.ini --quiet --threads 2 --out $tmp/people"
  "0 run $tmp/terrain.ini --quiet --threads 2 --out $tmp/terrain"
  "0 link $root/scenarios/jiangxi-65k.ini"
  "3 run $tmp/unknown-key.ini"
  "4 run $tmp/missing-map.ini"
  "5 run $tmp/sites-bad.ini --out $tmp/bad1"
  "5 run $tmp/sites-dup.ini --out $tmp/bad2"
  "5 run $tmp/sites-outside.ini --out $tmp/bad3"
  "4 run $tmp/truncated-dbf.ini --out $tmp/bad4"
  "6 run $tmp/good.ini --set map.file=$small --set sites.count=1000000000000"
  "4 run $tmp/people.ini --set map.file=$small --set map.population=$tmp/badpop.csv --out $tmp/bad5"
  "4 run $tmp/terrain.ini --set terrain.dem=$tmp/none.tif --out $tmp/bad6"
  "4 run $tmp/terrain.ini --set map.file=$tmp/two.gpkg --out $tmp/bad7"
  "0 pathloss --model uma-nlos --freq-ghz 3.5 --distance-m 500"
  "2 pathloss --model nonsense --freq-ghz 3.5 --distance-m 500"
)

# One case under valgrind; its verdict in $tmp/verdict.N. Valgrind runs a
# process's threads one at a time, so LEAKCHECK_JOBS cases (default 2, the
# cores CI has) run side by side.
check() {
  local i=$1 want=${2%% *} c=${2#* } rc
  # shellcheck disable=SC2086
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
    --suppressions="$root/tests/valgrind.supp" \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$bin" $c >"$tmp/out.$i" 2>&1
  rc=$?
  if [ $rc -eq 99 ]; then
    { echo "LEAK/ERROR: towncov $c"; tail -30 "$tmp/out.$i"; } >"$tmp/verdict.$i"
  elif [ $rc -ne "$want" ]; then
    { echo "FAILED: towncov $c: exit $rc, not $want"; tail -5 "$tmp/out.$i"; } >"$tmp/verdict.$i"
  else
    echo "clean (exit $rc): towncov $c" >"$tmp/verdict.$i"
  fi
}
jobs=${LEAKCHECK_JOBS:-2}
for i in "${!cases[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  check "$i" "${cases[$i]}" &
done
wait
failed=0
for i in "${!cases[@]}"; do
  if [ -f "$tmp/verdict.$i" ]; then cat "$tmp/verdict.$i"; else echo "NO VERDICT: ${cases[$i]}"; fi
  grep -q '^clean' "$tmp/verdict.$i" 2>/dev/null || failed=$((failed + 1))
done
echo "leakcheck: $(( ${#cases[@]} - failed )) passed, $failed failed"
[ $failed -eq 0 ]
