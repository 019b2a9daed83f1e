#!/usr/bin/env bash
# bench/plan_counties.sh — `towncov plan`'s greedy against the optimum: three
# county-sized synthetic maps (mapgen --synthetic N, seeds 1, 2, 3), one
# station at every seat, 1.5 km discs, goal 95 % of each seat area. The
# bound is the sum of the components' (their MIP optimum on the sampled
# instance when solved; plan.json lower_bound, see docs/plan-optimality.md).
# Prints a Markdown table. See bench/README.md.
#
#   bench/plan_counties.sh [--townships N] [--radius M] [--threads T]
# Environment: TOWNCOV_BIN (default build/towncov).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
BIN=${TOWNCOV_BIN:-$REPO/build/towncov}
N=30 RADIUS=1500 THREADS=2
while [ $# -gt 0 ]; do
    case $1 in
    --townships) N=$2; shift 2 ;;
    --radius) RADIUS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "usage: $0 [--townships N] [--radius M] [--threads T]" >&2; exit 2 ;;
    esac
done
TMP=$BENCH/results/tmp/plan-counties
rm -rf "$TMP"
mkdir -p "$TMP"
cat >"$TMP/county.ini" <<INI
[scenario]
name = plan-county
seed = 1
[map]
file = map/townships.shp
[sites]
strategy = seats
count = $N
[radio]
model = disc
vertices = 64
radius_subdistrict_m = $RADIUS
radius_town_m = $RADIUS
radius_township_m = $RADIUS
radius_special_m = $RADIUS
[coverage]
engine = exact
[goal]
seat_area_min_fraction = 0.95
min_covered_fraction = 0
INI
echo "| instance | townships | failing | added | lower bound | gap | components optimal | candidates | seconds |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for seed in 1 2 3; do
    d=$TMP/seed$seed
    mkdir -p "$d"
    "$BIN" mapgen --synthetic "$N" --seed "$seed" --out "$d/map" >/dev/null 2>&1
    cp "$TMP/county.ini" "$d/county.ini"
    start=$(date +%s.%N)
    "$BIN" plan "$d/county.ini" --out "$d/plan" --threads "$THREADS" --quiet || true
    end=$(date +%s.%N)
    /usr/bin/python3 - "$d/plan/plan.json" "synthetic $N, seed $seed" "$N" "$start" "$end" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
lb = j["lower_bound"]
comps = j.get("components", [])
opt = sum(1 for c in comps if c["optimal"])
print("| %s | %s | %d | %d | %s | %s | %d of %d | %d | %.2f |" % (
    sys.argv[2], sys.argv[3], j["failing_before"], j["added"],
    "n/a" if lb is None else lb,
    "n/a" if j["gap_percent"] is None else "%.1f %%" % j["gap_percent"], opt, len(comps),
    j["candidates"], float(sys.argv[5]) - float(sys.argv[4])))
PY
done
