#!/usr/bin/env bash
# bench/raster.sh — the signal rasters' benchmark (issue 15's targets): all
# four layers as Cloud Optimized GeoTIFFs, the default link-budget radio.
# See bench/README.md, "Signal rasters".
#
#   bench/raster.sh                   both scales
#   bench/raster.sh --scales jiangxi-100m --repeats 3
#
# Scales:
#   jiangxi-100m    scenarios/jiangxi-65k.ini at 100 m (4831 x 6188 cells, padded to 4832 x 6208; 16.7 M in townships)
#   synthetic-40k   the same scenario on `towncov mapgen --synthetic 40000 --seed 1`
#                   with sites.count = 4,000,000, at 500 m (4648 x 4386 cells, padded to 4672 x 4416)
# Options:
#   --scales a,b   only these scales
#   --threads N    threads of every run (default 2)
#   --repeats N    runs per scale (default: jiangxi-100m 3, synthetic-40k 1)
#   --set k=v      passed to every run
# Environment: TOWNCOV_BIN (default build/towncov).
#
# Every run writes only the rasters and the tables (output.layers = no,
# output.picture = no). The numbers come from each run's summary.json
# (raster.seconds and its parts) and GNU time (peak RSS of the whole run).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
TMP=$BENCH/results/tmp/raster
PY=/usr/bin/python3
BIN=${TOWNCOV_BIN:-$REPO/build/towncov}
SCALES="jiangxi-100m synthetic-40k" THREADS=2 REPEATS=""
SETS=()

say() { printf 'bench/raster: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

while (($#)); do
    [[ $1 == --@(scales|threads|repeats|set) && $# -lt 2 ]] && die "$1 needs a value"
    case $1 in
    --scales) SCALES=${2//,/ }; shift ;;
    --threads) THREADS=$2; shift ;;
    --repeats) REPEATS=$2; shift ;;
    --set) SETS+=(--set "$2"); shift ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
    esac
    shift
done
[[ -x $BIN ]] || die "$BIN not found: build it first (make), or set TOWNCOV_BIN"
BIN=$(realpath "$BIN")
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is needed: apt-get install time"

# scale_args SCALE: sets ARGS (the run's options) and SCALE_REPEATS.
scale_args() {
    ARGS=(--set output.layers=no --set output.picture=no)
    case $1 in
    jiangxi-100m)
        ARGS+=(--set raster.resolution_m=100)
        SCALE_REPEATS=3 ;;
    synthetic-40k)
        local map=$BENCH/maps/synth-40000
        if [[ ! -f $map/townships.shp ]]; then
            say "making the synthetic map (40,000 townships) in $map"
            "$BIN" mapgen --synthetic 40000 --out "$map" --seed 1 --quiet >/dev/null
        fi
        ARGS+=(--set map.file="$map/townships.shp" --set sites.count=4000000
               --set raster.resolution_m=500)
        SCALE_REPEATS=1 ;;
    *) die "unknown scale $1 (jiangxi-100m, synthetic-40k)" ;;
    esac
    [[ -n $REPEATS ]] && SCALE_REPEATS=$REPEATS
    return 0
}

rm -rf "$TMP"
mkdir -p "$TMP"
$PY "$BENCH/bench.py" meta "$REPO" "$BIN" raster "$THREADS" no >"$TMP/meta.json"
load=$(cut -d' ' -f1 /proc/loadavg)
say "load average $load on $(nproc) cores at the start"
for scale in $SCALES; do
    scale_args "$scale"
    for ((r = 1; r <= SCALE_REPEATS; r++)); do
        dir=$TMP/$scale/r$r
        mkdir -p "$dir"
        say "$scale: run $r of $SCALE_REPEATS ($THREADS threads)"
        t0=$(date +%s.%N)
        /usr/bin/time -f '%M %U %S' -o "$dir.rss" "$BIN" run "$REPO/scenarios/jiangxi-65k.ini" \
            --quiet --threads "$THREADS" --out "$dir" "${ARGS[@]}" "${SETS[@]}"
        t1=$(date +%s.%N)
        read -r rss user sys < <(tail -n1 "$dir.rss")
        printf '{"start": %s, "end": %s, "max_rss_kb": %s, "user_s": %s, "sys_s": %s}\n' \
            "$t0" "$t1" "$rss" "$user" "$sys" >"$dir/time.json"
        rm -f "$dir.rss" "$dir"/*.tif "$dir/sites.csv"
    done
done
$PY "$BENCH/bench.py" meta-set "$TMP/meta.json" machine.loadavg_end "$(cut -d' ' -f1 /proc/loadavg)"
prefix=$BENCH/results/$(date +%F)-$(hostname -s)-raster
$PY "$BENCH/bench.py" raster --tmp "$TMP" --meta "$TMP/meta.json" --prefix "$prefix" $SCALES
say "wrote $prefix.json, $prefix.md"
