#!/usr/bin/env bash
# bench/sweep.sh — `towncov sweep` against separate `towncov run`s, side by
# side in one session: a 13-member sweep of sites.count (40,000–70,000 step
# 2,500) on the default scenario, and the same 13 members as 13 runs with
# the default outputs, alternated REPEATS times so that drift spreads over
# both. Reports wall times and their ratio, and each member's seconds
# against the place + footprints + coverage + goal phases of its run; every
# member's checksum must equal its run's. See bench/README.md.
#
#   bench/sweep.sh [--threads N] [--repeats R] [--scenario INI]
# Environment: TOWNCOV_BIN (default build/towncov).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
BIN=${TOWNCOV_BIN:-$REPO/build/towncov}
TMP=$BENCH/results/tmp/sweep
THREADS=2 REPEATS=2 SCENARIO=$REPO/scenarios/jiangxi-65k.ini
COUNTS=$(seq 40000 2500 70000)

while (($#)); do
    case $1 in
    --threads) THREADS=$2; shift ;;
    --repeats) REPEATS=$2; shift ;;
    --scenario) SCENARIO=$2; shift ;;
    *) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 2 ;;
    esac
    shift
done

now() { date +%s.%N; }
rm -rf "$TMP" && mkdir -p "$TMP"
: > "$TMP/times.txt"
for r in $(seq 1 "$REPEATS"); do
    t0=$(now)
    for n in $COUNTS; do
        "$BIN" run "$SCENARIO" --threads "$THREADS" --quiet --out "$TMP/run$r-$n" \
            --set sites.count="$n"
    done
    t1=$(now)
    "$BIN" sweep "$SCENARIO" --threads "$THREADS" --quiet --out "$TMP/sweep$r" \
        --vary sites.count=40000..70000/2500
    t2=$(now)
    echo "$r $t0 $t1 $t2" >> "$TMP/times.txt"
    echo "bench: repeat $r: runs $(echo "$t1 - $t0" | bc) s, sweep $(echo "$t2 - $t1" | bc) s" >&2
done

/usr/bin/python3 - "$TMP" "$THREADS" "$(nproc)" <<'PY'
import json, statistics, sys, os, datetime
tmp, threads, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [l.split() for l in open(os.path.join(tmp, "times.txt"))]
runs = [float(b) - float(a) for _, a, b, _ in rows]
sweeps = [float(c) - float(b) for _, _, b, c in rows]
ratios, bad = [], 0
for r, *_ in rows:
    sw = json.load(open(os.path.join(tmp, f"sweep{r}", "sweep.json")))
    for m in sw["members"]:
        n = m["values"]["sites.count"]
        run = json.load(open(os.path.join(tmp, f"run{r}-{n}", "summary.json")))
        core = sum(run["seconds"][p] for p in ("place", "footprints", "coverage", "goal"))
        ratios.append(m["seconds"] / core)
        bad += m["checksum"] != run["checksum"]
if bad:
    sys.exit(f"bench: {bad} members differ from their runs")
med_runs, med_sweep = statistics.median(runs), statistics.median(sweeps)
lines = [
    f"Sweep benchmark, {datetime.date.today()}, {cores} cores, {threads} threads, "
    f"{len(rows)} repeats (medians)",
    "",
    "| what | seconds |", "| --- | ---: |",
    f"| 13 × `towncov run` (default outputs) | {med_runs:.1f} |",
    f"| `towncov sweep` (13 members) | {med_sweep:.1f} |",
    f"| ratio runs / sweep | {med_runs / med_sweep:.2f} |",
    f"| member seconds / its run's place+footprints+coverage+goal (median, max) "
    f"| {statistics.median(ratios):.3f}, {max(ratios):.3f} |",
    "", "Every member's checksum equals its run's."]
text = "\n".join(lines) + "\n"
print(text)
out = os.path.join(os.path.dirname(os.path.dirname(tmp)), f"{datetime.date.today()}-sweep.md")
open(out, "w").write(text)
PY
