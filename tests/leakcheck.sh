#!/usr/bin/env bash
# valgrind memcheck over towncov's good path and every class of bad input:
# no invalid access and no definite or indirect leak on any path, error
# paths included. Usage: tests/leakcheck.sh BUILD/towncov
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
printf '[map]\nfile = %s\n[sites]\ncuont = 3\n' "$map" >"$tmp/unknown-key.ini"
printf '[map]\nfile = %s/none.shp\n' "$tmp" >"$tmp/missing-map.ini"
printf 'id,lon,lat\na,116.0,28.5\nb,abc,28\n' >"$tmp/bad.csv"
printf 'id,lon,lat\na,116.0,28.5\na,116.1,28.6\n' >"$tmp/dup.csv"
printf 'id,lon,lat\na,100.0,10.0\n' >"$tmp/outside.csv"
for c in bad dup outside; do
  printf '[map]\nfile = %s\n[sites]\nstrategy = file\nfile = %s/%s.csv\n' "$map" "$tmp" "$c" \
    >"$tmp/sites-$c.ini"
done
cp "$root/maps/jiangxi/townships.shp" "$tmp/t.shp"
cp "$root/maps/jiangxi/townships.shx" "$tmp/t.shx"
head -c 20000 "$root/maps/jiangxi/townships.dbf" >"$tmp/t.dbf"
printf '[map]\nfile = %s/t.shp\n' "$tmp" >"$tmp/truncated-dbf.ini"

cases=(
  "run $tmp/good.ini --quiet --threads 2 --out $tmp/o1"
  "run $tmp/good.ini --quiet --threads 2 --out $tmp/o1 --set output.footprints=yes"
  "run $tmp/unknown-key.ini"
  "run $tmp/missing-map.ini"
  "run $tmp/sites-bad.ini --out $tmp/o2"
  "run $tmp/sites-dup.ini --out $tmp/o2"
  "run $tmp/sites-outside.ini --out $tmp/o2"
  "run $tmp/truncated-dbf.ini --out $tmp/o2"
  "run $tmp/good.ini --set sites.count=1000000000000"
  "link $root/scenarios/jiangxi-65k.ini"
  "pathloss --model uma-nlos --freq-ghz 3.5 --distance-m 500"
  "pathloss --model nonsense --freq-ghz 3.5 --distance-m 500"
)
failed=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
    --suppressions="$root/tests/valgrind.supp" \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$bin" $c >"$tmp/out" 2>&1
  rc=$?
  if [ $rc -eq 99 ]; then
    echo "LEAK/ERROR: towncov $c"; tail -30 "$tmp/out"; failed=$((failed + 1))
  else
    echo "clean (exit $rc): towncov $c"
  fi
done
echo "leakcheck: $(( ${#cases[@]} - failed )) passed, $failed failed"
[ $failed -eq 0 ]
