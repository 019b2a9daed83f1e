#!/usr/bin/env bash
# bench/targets.sh — issue 25's speed targets beside what this build measures
# (whole-process medians at --threads 2, bench/pairtime.py), and, with BASE_BIN set,
# the baseline binary's figures measured in the same call (pairs A B A B ...).
#
#   bench/targets.sh [quick|full] [--runs N] [--only a,b]
#
# quick: start, disc64, default (every output), plan; full adds country
# (synthetic-40k) and dense (30 townships, 100,000 stations). Environment:
# TOWNCOV_BIN (default build/towncov), BASE_BIN (optional: e.g. main's build).
# Prints a Markdown table (wall medians decide "met"; cpu = user + system,
# the figure to read on a loaded machine); the raw reports go to
# bench/results/tmp/targets/.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
BIN=${TOWNCOV_BIN:-$REPO/build/towncov}
BASE=${BASE_BIN:-}
TMP=$BENCH/results/tmp/targets
PY=/usr/bin/python3
MODE=quick RUNS=5 ONLY=""
# the long ones: fewer runs, no warm-up run (their start-up is noise)
declare -A RUNS_OF=([plan]=3 [country]=3 [dense]=3) WARMUP_OF=([plan]=0 [country]=0 [dense]=0)

while (($#)); do
    case $1 in
    quick | full) MODE=$1 ;;
    --runs) RUNS=$2; RUNS_OF=(); shift ;;
    --only) ONLY=$2; shift ;;
    -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "targets: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$TMP"
wanted() { [[ -z $ONLY || ",$ONLY," == *",$1,"* ]]; }

# The median of one figure ("A wall s", "B peak MiB") of a pairtime report.
median() { awk -v k="$2" 'index($0, k) == 1 { print $(NF - 1) }' "$1"; }

# measure NAME TIMEOUT ARGS...: time the build (and the baseline) on
# `towncov ARGS` (OUT in ARGS becomes a fresh folder per command).
measure() {
    local name=$1 timeout=$2
    shift 2
    local a=("$BIN" "${@//OUT/$TMP/$name-a}") report=$TMP/$name.txt
    local fb=("$PY" "$BENCH/pairtime.py" -n "${RUNS_OF[$name]:-$RUNS}" --warmup "${WARMUP_OF[$name]:-1}" --timeout "$timeout")
    if [[ -n $BASE ]]; then
        local b=("$BASE" "${@//OUT/$TMP/$name-b}")
        "${fb[@]}" --vs "${b[*]}" -- "${a[@]}" >"$report" 2>&1
    else
        "${fb[@]}" -- "${a[@]}" >"$report" 2>&1
    fi
}

# row NAME TARGET_S TARGET_MIB [EXTRA]: a table row from NAME's report.
row() {
    local r=$TMP/$1.txt wall cpu mem base="" met=yes
    wall=$(median "$r" "A wall s")
    cpu=$(median "$r" "A cpu s")
    mem=$(median "$r" "A peak MiB")
    [[ -n $wall ]] || { echo "| $1 | $2 s, $3 MiB | (no run: see $r) | | |"; return; }
    $PY -c "import sys; sys.exit(0 if $wall <= $2 and ($3 == 0 or $mem <= $3) else 1)" || met=no
    [[ -n $BASE ]] && base="$(median "$r" "B wall s") s (cpu $(median "$r" "B cpu s") s), $(median "$r" "B peak MiB") MiB"
    echo "| $1 | ≤ $2 s$([[ $3 != 0 ]] && echo ", ≤ $3 MiB") | $wall s (cpu $cpu s), $mem MiB${4:+, $4} | $base | $met |"
}

say() { printf 'targets: %s\n' "$*" >&2; }
say "$(nproc) cores, $(uname -n)"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
if wanted start; then
    measure start 100 --version
    rows+=("$(row start 0.020 0)")
fi
if wanted disc64; then
    measure disc64 300 run "$BENCH/jiangxi-disc64.ini" --threads 2 --quiet --out OUT
    cov=$($PY -c "import json, sys; print(json.load(open(sys.argv[1]))['seconds']['coverage'])" \
        "$TMP/disc64-a/summary.json" 2>/dev/null || echo "?")
    rows+=("$(row disc64 0.40 60 "coverage phase $cov s, last run (target ≤ 0.25 s)")")
fi
if wanted default; then
    measure default 600 run "$REPO/scenarios/jiangxi-65k.ini" --threads 2 --quiet --out OUT
    rows+=("$(row default 1.0 150)")
fi
if wanted plan; then
    measure plan 3600 plan "$REPO/scenarios/jiangxi-65k.ini" --set sites.count=45000 \
        --set sites.strategy=weighted --threads 2 --quiet --out OUT
    gap=$($PY "$BENCH/bench.py" json "$TMP/plan-a/plan.json" gap_percent 2>/dev/null || echo "?")
    rows+=("$(row plan 5.0 0 "gap $gap % (target ≤ 5 %)")")
fi
if [[ $MODE == full ]] && wanted country; then
    [[ -f $BENCH/maps/synth-40000/townships.shp ]] || # as bench/README.md says
        "$BIN" mapgen --synthetic 40000 --seed 1 --out "$BENCH/maps/synth-40000" --quiet
    measure country 3600 run "$BENCH/synthetic-40k.ini" --threads 2 --quiet --out OUT
    rows+=("$(row country 20 1024)")
fi
if [[ $MODE == full ]] && wanted dense; then
    [[ -f $TMP/dense30/townships.shp ]] ||
        "$BIN" mapgen --synthetic 30 --seed 1 --out "$TMP/dense30" --quiet
    measure dense 3600 run "$REPO/scenarios/jiangxi-65k.ini" --set map.file="$TMP/dense30/townships.shp" \
        --set sites.count=100000 --set sites.strategy=weighted --set radio.model=link \
        --set map.population= \
        --set raster.resolution_m=0 --threads 2 --quiet --out OUT
    rows+=("$(row dense 5 500)")
fi
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| target | issue 25 | this build (median) | baseline (median, same call) | met |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
