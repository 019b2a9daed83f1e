#!/usr/bin/env bash
# A real PostgreSQL + PostGIS in the tests (docs/formats.md): a throwaway
# cluster (initdb/pg_ctl in a temporary folder, a free local port, its own
# socket folder, stopped at the end even on failure), then the round trip:
#   1. a map read from PostGIS gives townships.csv byte-identical to the
#      same map as a shapefile; a PostGIS table without the code column is
#      a located error with no output;
#   2. a run writes its tables (keys, GiST index, SRID), their rows equal
#      townships.csv;
#   3. a second run replaces them, and leaves a table it did not make;
#   4. a run interrupted (SIGINT) while writing leaves the first intact;
#   5. a wrong password is a located error with the password masked;
#   6. a plan writes its added_sites table with the check run's, under the
#      same rules; a later run replaces it; a foreign table is refused;
#   7. a plan failing after its check run (plan.json not written) leaves
#      the earlier tables: the check's transaction commits after plan.json;
#   8. an added station's fixes longer than the dBase limit are whole in
#      PostGIS (cut at a character in the .dbf, said once);
#   9. the folder and the tables change together: a failed rename of the
#      output folder, or an interrupt between it and the commit, leaves
#      both as they were.
# Never skips: a server that cannot start is a failure.
#   tests/postgis/roundtrip.sh BIN
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=tests/postgis/cluster.sh
. "$root/tests/postgis/cluster.sh"

pass=0
ok() { pass=$((pass + 1)); echo "postgis: ok: $*"; }
fail() { echo "postgis: FAIL: $*" >&2; exit 1; }

# The default scenario, made short: fewer stations, no rasters, no picture.
run() { # out-name [--set ...]
    local name=$1; shift
    "$bin" run scenarios/jiangxi-65k.ini --threads 2 --quiet --out "$work/$name" \
        --set sites.count=20000 --set raster.resolution_m=0 --set output.picture=no "$@"
}

# 1. the map from PostGIS
ogr2ogr -f PostgreSQL "$pg" maps/jiangxi/townships.shp -nln public.townships_src \
    -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom -lco PRECISION=NO
ogr2ogr -f PostgreSQL "$pg" maps/jiangxi/townships.shp -nln public.nocode -select name \
    -nlt PROMOTE_TO_MULTI -lco PRECISION=NO
run shp --set output.layers=no >/dev/null 2>&1 || fail "the shapefile run"
run frompg --set output.layers=no --set "map.file=$pg" --set map.layer=public.townships_src \
    >"$work/frompg.log" 2>&1 || { cat "$work/frompg.log"; fail "the run reading PostGIS"; }
cmp "$work/shp/townships.csv" "$work/frompg/townships.csv" \
    || fail "townships.csv from PostGIS differs from the shapefile's"
ok "a map read from PostGIS gives the shapefile's townships.csv byte for byte"
set +e
run nocode --set "map.file=$pg" --set map.layer=public.nocode >"$work/nocode.log" 2>&1
rc=$?
set -e
[ $rc = 4 ] || fail "a table without the code column: exit $rc, not 4"
grep -q "towncov: error: PG:dbname=tc host=127.0.0.1 port=$port user=towncov password=\*\*\*, layer 'nocode': no attribute 'code'" "$work/nocode.log" \
    || { cat "$work/nocode.log"; fail "no located error for the table without code"; }
! grep -q "$password" "$work/nocode.log" || fail "the password was printed"
[ ! -e "$work/nocode" ] || fail "output left by a failed run"
ok "a PostGIS table without the code column: located error, password masked, no output"

# 2. a run writes its tables
sql "CREATE SCHEMA towncov; CREATE TABLE towncov.notes (t text); INSERT INTO towncov.notes VALUES ('mine')"
run first --set "output.postgis=$pg" --set scenario.seed=1 >"$work/first.log" 2>&1 \
    || { cat "$work/first.log"; fail "the run writing PostGIS"; }
for t in townships coverage seat_areas seats sites towncov_run; do
    [ "$(sql "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'towncov' AND c.relname = '$t' AND i.indisprimary")" = 1 ] \
        || fail "towncov.$t has no primary key"
done
for t in townships coverage seat_areas seats sites; do
    [ "$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = 'towncov' AND tablename = '$t' AND indexdef LIKE '%USING gist (geom)%'")" = 1 ] \
        || fail "towncov.$t has no GiST index"
    srid=$(sql "SELECT Find_SRID('towncov', '$t', 'geom')")
    [ "$srid" = 4326 ] || fail "towncov.$t: SRID $srid, not 4326"
done
/usr/bin/python3 - "$work/first/townships.csv" <<EOF || fail "the townships table differs from townships.csv"
import csv, subprocess, sys
want = [(r['code'], r['name'], r['county'], r['kind'], float(r['covered_frac']), r['seat_covered'])
        for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))]
out = subprocess.run(['psql', '-X', '-At', '-F', '\t', '-h', '$work/sock', '-p', '$port', '-U',
                      'towncov', '-d', 'tc', '-c',
                      'SELECT code, name, county, kind, cov_frac, seat_cov FROM towncov.townships ORDER BY fid'],
                     capture_output=True, text=True, check=True).stdout
got = [tuple(l.split('\t')) for l in out.splitlines()]
got = [(c, n, co, k, float(f), s) for c, n, co, k, f, s in got]
assert len(got) == len(want) == 1767, (len(got), len(want))
assert all(g[:4] == w[:4] and g[5] == w[5] and abs(g[4] - w[4]) <= 1e-12 for g, w in zip(got, want))
EOF
[ "$(sql "SELECT seed FROM towncov.towncov_run")" = 1 ] || fail "towncov_run"
[ "$(sql "SELECT count(*) FROM towncov.sites")" = 20000 ] || fail "towncov.sites rows"
ok "a run writes its tables (keys, GiST, SRID 4326); their rows equal townships.csv"

# 3. a second run replaces them, and only them
run second --set "output.postgis=$pg" --set scenario.seed=2 --set sites.count=15000 \
    >"$work/second.log" 2>&1 || { cat "$work/second.log"; fail "the second run"; }
[ "$(sql "SELECT seed FROM towncov.towncov_run")" = 2 ] || fail "towncov_run not replaced"
[ "$(sql "SELECT count(*) FROM towncov.sites")" = 15000 ] || fail "towncov.sites not replaced"
[ "$(sql "SELECT t FROM towncov.notes")" = mine ] || fail "a table towncov did not make was touched"
[ "$(sql "SELECT count(*) FROM public.townships_src")" = 1767 ] || fail "another schema was touched"
ok "a second run replaces its own tables only"

# 4. SIGINT while writing leaves the second run's tables. Another session
# holds a lock on towncov.sites, so the run waits inside its transaction
# after dropping the tables before it; it is interrupted there, then the
# lock is let go: the run must roll back, not commit.
"${psql[@]}" -d tc -c "BEGIN; SELECT count(*) FROM towncov.sites; SELECT pg_sleep(600)" \
    >/dev/null 2>&1 &
holder=$!
(exec "$bin" run scenarios/jiangxi-65k.ini --threads 2 --quiet --out "$work/third" \
    --set sites.count=20000 --set raster.resolution_m=0 --set output.picture=no \
    --set "output.postgis=$pg" --set scenario.seed=3) >"$work/third.log" 2>&1 &
pid=$! # towncov itself (exec): the signal goes to it
seen=0
for _ in $(seq 1 3000); do
    if [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'towncov' AND wait_event_type = 'Lock'")" != 0 ]; then
        kill -INT $pid; seen=1; break
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
wait $holder || true
set +e
wait $pid
rc=$?
set -e
[ $seen = 1 ] || { cat "$work/third.log"; fail "the run never waited inside its transaction"; }
[ $rc = 130 ] || { cat "$work/third.log"; fail "interrupted run: exit $rc, not 130"; }
grep -q "interrupted while writing to PostGIS" "$work/third.log" || fail "no interruption message"
[ "$(sql "SELECT seed FROM towncov.towncov_run")" = 2 ] || fail "an interrupted run changed towncov_run"
[ "$(sql "SELECT count(*) FROM towncov.sites")" = 15000 ] || fail "an interrupted run changed towncov.sites"
[ "$(sql "SELECT count(*) FROM towncov.coverage")" -gt 0 ] || fail "an interrupted run dropped towncov.coverage"
[ ! -e "$work/third" ] || fail "an interrupted run left its output folder"
ok "a run interrupted while writing leaves the earlier tables as they were"

# 5. a wrong password
set +e
run wrong --set "output.postgis=PG:dbname=tc host=127.0.0.1 port=$port user=towncov password=Wr0ngPass" \
    >"$work/wrong.log" 2>&1
rc=$?
set -e
[ $rc = 7 ] || { cat "$work/wrong.log"; fail "a wrong password: exit $rc, not 7"; }
grep -q "towncov: error: output.postgis = PG:dbname=tc host=127.0.0.1 port=$port user=towncov password=\*\*\*: cannot connect: .*password authentication failed" "$work/wrong.log" \
    || { cat "$work/wrong.log"; fail "no located error for a wrong password"; }
! grep -q Wr0ngPass "$work/wrong.log" || fail "the password was printed"
[ "$(sql "SELECT seed FROM towncov.towncov_run")" = 2 ] || fail "a failed run changed the tables"
ok "a wrong password: located error, password masked"

# 6. the plan: its added_sites table with the check run's, in one
# transaction, under the same rules (keys, GiST, SRID, the registry). A
# county's townships as the map, so that the plan takes seconds.
ogr2ogr -lco ENCODING=UTF-8 "$work/county.shp" maps/jiangxi/townships.shp -where "cnty_code='360121'"
towns=$(ogrinfo -so "$work/county.shp" county | sed -n 's/^Feature Count: //p')
plan() { # out-name schema
    "$bin" plan scenarios/jiangxi-65k.ini --threads 2 --quiet --out "$work/$1" \
        --set "map.file=$work/county.shp" --set map.population= --set sites.strategy=weighted \
        --set sites.count=200 --set raster.resolution_m=0 --set output.picture=no \
        --set "output.postgis=$pg" --set "output.postgis_schema=$2"
}
plan plan1 plan >"$work/plan1.log" 2>&1 || { cat "$work/plan1.log"; fail "the plan writing PostGIS"; }
added=$(($(wc -l <"$work/plan1/added_sites.csv") - 1))
[ "$added" -gt 0 ] || fail "the plan added no station: nothing to check"
[ "$(sql "SELECT count(*) FROM plan.added_sites")" = "$added" ] || fail "plan.added_sites rows"
[ "$(sql "SELECT string_agg(id, ',' ORDER BY fid) FROM plan.added_sites")" = \
  "$(tail -n +2 "$work/plan1/added_sites.csv" | cut -d, -f1 | paste -sd,)" ] \
    || fail "plan.added_sites ids differ from added_sites.csv"
[ "$(sql "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'plan' AND c.relname = 'added_sites' AND i.indisprimary")" = 1 ] \
    || fail "plan.added_sites has no primary key"
[ "$(sql "SELECT count(*) FROM pg_indexes WHERE schemaname = 'plan' AND tablename = 'added_sites' AND indexdef LIKE '%USING gist (geom)%'")" = 1 ] \
    || fail "plan.added_sites has no GiST index"
[ "$(sql "SELECT Find_SRID('plan', 'added_sites', 'geom')")" = 4326 ] || fail "plan.added_sites SRID"
[ "$(sql "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM plan.towncov_tables")" = \
  "added_sites,coverage,seat_areas,seats,sites,towncov_run,townships" ] || fail "plan's registry"
[ "$(sql "SELECT count(*) FROM plan.townships")" = "$towns" ] || fail "plan.townships rows"
ok "a plan writes added_sites (key, GiST, SRID, registry) with the check run's tables"
# A run into the plan's schema replaces every table the registry lists.
run plan2run --set "output.postgis=$pg" --set output.postgis_schema=plan >"$work/p2.log" 2>&1 \
    || { cat "$work/p2.log"; fail "the run after the plan"; }
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'plan' AND tablename = 'added_sites'")" = 0 ] \
    || fail "the plan's added_sites outlived the next run in its schema"
# A table added_sites that towncov did not make: the plan fails, nothing
# of it is written there, and it leaves no output folder.
sql "CREATE SCHEMA planx; CREATE TABLE planx.added_sites (t text)"
set +e
plan plan3 planx >"$work/plan3.log" 2>&1
rc=$?
set -e
[ $rc = 7 ] || { cat "$work/plan3.log"; fail "a plan meeting a foreign added_sites: exit $rc, not 7"; }
grep -q "table planx.added_sites exists and was not written by towncov" "$work/plan3.log" \
    || { cat "$work/plan3.log"; fail "no located error for the foreign added_sites"; }
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'planx'")" = 1 ] \
    || fail "a failed plan left tables in its schema"
[ ! -e "$work/plan3" ] || fail "a failed plan left its output folder"
ok "a plan is refused a table it did not make, and writes nothing"

# 7. a plan that fails after its check run wrote the tables (plan.json
# cannot be written: fail_plan_json.c, as a full disk) leaves the earlier
# tables as they were: the check run's transaction is committed only after
# plan.json, just before the plan's folder is renamed into place.
cc -shared -fPIC -o "$work/fail_plan_json.so" tests/postgis/fail_plan_json.c -ldl
state() { # the schema as the registry and towncov_run say it is
    sql "SELECT (SELECT seed || ' ' || checksum FROM plan.towncov_run) || ' ' || (SELECT string_agg(table_name, ',' ORDER BY table_name) FROM plan.towncov_tables)"
}
before=$(state)
[ "$(sql "SELECT count(*) FROM plan.towncov_tables WHERE table_name = 'added_sites'")" = 0 ] \
    || fail "step 7 needs a schema without added_sites (the run after the plan dropped it)"
set +e
LD_PRELOAD="$work/fail_plan_json.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    plan plan4 plan --set scenario.seed=4 >"$work/plan4.log" 2>&1
rc=$?
set -e
[ $rc = 7 ] || { cat "$work/plan4.log"; fail "a plan whose plan.json fails: exit $rc, not 7"; }
grep -q "plan.json: cannot write: No space left on device" "$work/plan4.log" \
    || { cat "$work/plan4.log"; fail "no located error for plan.json"; }
[ "$(state)" = "$before" ] || fail "a plan that failed after its check run changed schema plan"
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'plan' AND tablename = 'added_sites'")" = 0 ] \
    || fail "a plan that failed after its check run wrote plan.added_sites"
[ ! -e "$work/plan4" ] || fail "a failed plan left its output folder"
# the same plan without the fault commits
plan plan5 plan --set scenario.seed=4 >"$work/plan5.log" 2>&1 \
    || { cat "$work/plan5.log"; fail "the plan after the failed one"; }
after=$(state)
[ "$after" != "$before" ] && [ "$(sql "SELECT count(*) FROM plan.added_sites")" -gt 0 ] \
    || fail "the plan's tables not committed ($before, then $after)"
ok "a plan failing at plan.json leaves the earlier tables; the next one commits"

# 8. long texts: one added station fixes ten townships whose codes are 37
# bytes (CJK): its fixes (379 bytes) are whole in PostGIS, cut at a
# character in the .dbf (said once). Ten 200 m strips side by side in UTM
# 50N, their seats on the candidate's 1 km disc; the existing station in a
# township far off.
mkdir -p "$work/strips"
/usr/bin/python3 - "$work/strips" <<'PYEOF'
import sys
from osgeo import ogr, osr
d = sys.argv[1]
utm = osr.SpatialReference(); utm.ImportFromEPSG(32650)
ll = osr.SpatialReference(); ll.ImportFromEPSG(4326)
ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_ll = osr.CoordinateTransformation(utm, ll)
x0, y0 = 500000.0, 3100000.0
ds = ogr.GetDriverByName('ESRI Shapefile').CreateDataSource(d + '/strips.shp')
lyr = ds.CreateLayer('strips', utm, ogr.wkbPolygon, ['ENCODING=UTF-8'])
for name, width in (('code', 64), ('name', 64), ('kind', 16), ('county', 16)):
    f = ogr.FieldDefn(name, ogr.OFTString); f.SetWidth(width); lyr.CreateField(f)
def box(code, county, xa, xb, ya, yb):
    f = ogr.Feature(lyr.GetLayerDefn())
    for k, v in (('code', code), ('name', code[:1]), ('kind', 'town'), ('county', county)):
        f.SetField(k, v)
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        f'POLYGON(({xa} {ya},{xb} {ya},{xb} {yb},{xa} {yb},{xa} {ya}))'))
    lyr.CreateFeature(f)
for i in range(10):
    box('ABCDEFGHIJ'[i] + '乡' * 12, 'c1', x0 - 1000 + 200 * i, x0 - 800 + 200 * i,
        y0 - 500, y0 + 500)
box('Z', 'c2', x0 + 18000, x0 + 22000, y0 - 2000, y0 + 2000)
ds = None
def lonlat(x, y):
    lon, lat, _ = to_ll.TransformPoint(x, y)
    return f'{lon:.12f},{lat:.12f}'
open(d + '/sites.csv', 'w').write('id,lon,lat\ns1,' + lonlat(x0 + 20000, y0) + '\n')
open(d + '/cand.csv', 'w').write('id,lon,lat\nc1,' + lonlat(x0, y0) + '\n')
open(d + '/s.ini', 'w').write(
    '[scenario]\nname = strips\n[map]\nfile = strips.shp\nkind_field = kind\n'
    'county_field = county\n[sites]\nstrategy = file\nfile = sites.csv\n[radio]\n'
    'vertices = 64\nradius_town_m = 1000\n[goal]\nseat_radius_town_m = 60\n'
    '[raster]\nresolution_m = 0\n[output]\npicture = no\n')
PYEOF
"$bin" plan "$work/strips/s.ini" --threads 2 --quiet --out "$work/plan6" \
    --candidates "$work/strips/cand.csv" --set "output.postgis=$pg" \
    --set output.postgis_schema=strips >"$work/plan6.log" 2>&1 \
    || { cat "$work/plan6.log"; fail "the plan with long codes"; }
bytes=$(sql "SELECT octet_length(fixes) FROM strips.added_sites")
[ "$bytes" = 379 ] || { cat "$work/plan6.log"; fail "strips.added_sites.fixes: $bytes bytes, not 379"; }
[ "$(grep -c "added_sites.dbf: 1 'fixes' value longer than the dBase limit of 254 bytes cut at a character boundary" "$work/plan6.log")" = 1 ] \
    || { cat "$work/plan6.log"; fail "the cut fixes were not said once"; }
ok "an added station's long fixes are whole in PostGIS, cut at a character in the .dbf"

# 9. the output folder and the tables change together: the transaction
# commits once the new folder stands in place, and a failed commit puts
# the earlier folder back (outdir_commit_last). fail_rename.c makes the
# staging folder's rename fail (EACCES), or lets it succeed and sends
# SIGINT just after, before the commit: either way the earlier folder and
# the earlier tables stay, and nothing is left beside them.
cc -shared -fPIC -o "$work/fail_rename.so" tests/postgis/fail_rename.c -ldl
swap() { # seed: a run into folder swap and schema swap
    run swap --set "output.postgis=$pg" --set output.postgis_schema=swap --set "scenario.seed=$1"
}
files() { (cd "$work/swap" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
swap 5 >"$work/swap5.log" 2>&1 || { cat "$work/swap5.log"; fail "the run before the faults"; }
before=$(files)
for mode in fail interrupt; do
    set +e
    TOWNCOV_TEST_RENAME=$mode LD_PRELOAD="$work/fail_rename.so" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        swap 6 >"$work/swap-$mode.log" 2>&1
    rc=$?
    set -e
    if [ $mode = fail ]; then
        [ $rc = 7 ] || { cat "$work/swap-$mode.log"; fail "a failed folder rename: exit $rc, not 7"; }
        grep -q "cannot move the results into $work/swap: Permission denied" "$work/swap-$mode.log" \
            || { cat "$work/swap-$mode.log"; fail "no located error for the failed rename"; }
    else
        [ $rc = 130 ] || { cat "$work/swap-$mode.log"; fail "an interrupt before the commit: exit $rc, not 130"; }
        grep -q "interrupted while writing to PostGIS: nothing was changed there" "$work/swap-$mode.log" \
            || { cat "$work/swap-$mode.log"; fail "no interruption message"; }
    fi
    [ "$(sql "SELECT seed FROM swap.towncov_run")" = 5 ] || fail "$mode: the tables changed without the folder"
    [ "$(files)" = "$before" ] || fail "$mode: the output folder changed"
    [ -z "$(find "$work" -maxdepth 1 -name 'swap.*')" ] || fail "$mode: left $(find "$work" -maxdepth 1 -name 'swap.*')"
done
swap 6 >"$work/swap6.log" 2>&1 || { cat "$work/swap6.log"; fail "the run after the faults"; }
[ "$(sql "SELECT seed FROM swap.towncov_run")" = 6 ] && [ "$(files)" != "$before" ] \
    || fail "the run after the faults did not replace folder and tables"
ok "a failed folder rename, or an interrupt before the commit, leaves folder and tables as they were"

echo "postgis: $pass passed"
