#!/usr/bin/env bash
# bench/run.sh — towncov's benchmark: thread scaling at three sizes, and
# side by side with PostGIS, the naive engine and the GEOS engine on the same
# footprints. See bench/README.md.
#
#   bench/run.sh quick            Jiangxi (1,767 townships, 65,000 stations)
#   bench/run.sh full             + synthetic 10k/400k and 40k/4M (long; resumes)
#
# Options:
#   --scales a,b        only these scales (jiangxi-disc64, synthetic-10k, synthetic-40k)
#   --threads "1 2"     thread counts (default 1, 2, 4, ... up to nproc, and nproc)
#   --repeats N         repeats of every scaling point (default: quick 3; full 3/2/1)
#   --skip a,b          comparators to leave out: naive, geos, outputs, postgis
#   --fresh             full: discard finished runs instead of resuming
#   --set sec.key=val   passed to every towncov run (e.g. map.file=/other/townships.shp)
# Environment: TOWNCOV_BIN (default build/towncov).
#
# bash runs things; bench.py (Debian's python3) does the numbers.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH")
TMP=$BENCH/results/tmp
PY=/usr/bin/python3
BIN=${TOWNCOV_BIN:-$REPO/build/towncov}
TOLERANCE_NOTE="agreement must be <= 1e-6 per township"

MODE=quick SCALES="" THREADS="" REPEATS="" SKIP="" FRESH=no
SETS=()
PGDIR="" PG_BIN=""

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now() { date +%s.%N; }
has() { [[ ",$2," == *",$1,"* ]]; }

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

parse_args() {
    while (($#)); do
        if [[ $1 == --@(scales|threads|repeats|skip|set) && $# -lt 2 ]]; then
            die "$1 needs a value"
        fi
        case $1 in
        quick | full) MODE=$1 ;;
        --scales) SCALES=${2//,/ }; shift ;;
        --threads) THREADS=$2; shift ;;
        --repeats) REPEATS=$2; shift ;;
        --skip) SKIP=$2; shift ;;
        --fresh) FRESH=yes ;;
        --set) SETS+=(--set "$2"); shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
        esac
        shift
    done
    if [[ -z $SCALES ]]; then
        SCALES="jiangxi-disc64"
        [[ $MODE == full ]] && SCALES="jiangxi-disc64 synthetic-10k synthetic-40k"
    fi
    if [[ -z $THREADS ]]; then
        local n t=1
        n=$(nproc)
        while ((t <= n)); do THREADS+="$t "; t=$((t * 2)); done
        [[ " $THREADS" == *" $n "* ]] || THREADS+="$n"
    fi
    THREADS=$(echo $THREADS) # one space between, none around
    return 0
}

# ---- tools ------------------------------------------------------------------
# Installs Debian packages for the commands that are missing (apt-get update first).
ensure_tools() {
    local need=() pkg
    [[ -x /usr/bin/time ]] || need+=(time)
    command -v gnuplot >/dev/null || need+=(gnuplot-nox)
    if ! has postgis "$SKIP"; then
        ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
        ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 ||
            need+=(postgresql-15-postgis-3)
        command -v shp2pgsql >/dev/null || need+=(postgis)
    fi
    ((${#need[@]})) || return 0
    say "installing ${need[*]} with apt-get"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    for pkg in "${need[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || die "could not install $pkg"; done
}

# ---- scales -------------------------------------------------------------------
# Sets SCENARIO, SYNTH (townships of the synthetic map; 0: the project's map),
# SCALE_REPEATS, SCALE_SKIP (comparators never run at this size: "name: why"
# lines) and SCALE_SKIP_NAMES (their names, comma-separated).
scale_config() {
    SCENARIO=$BENCH/$1.ini SYNTH=0 SCALE_SKIP=""
    case $1 in
    jiangxi-disc64) SCALE_REPEATS=3 ;;
    synthetic-10k) SYNTH=10000 SCALE_REPEATS=2 ;;
    synthetic-40k)
        SYNTH=40000 SCALE_REPEATS=1
        SCALE_SKIP="naive: about half an hour on one thread at this size (estimated from Jiangxi); the 10k scale measures it
outputs: gigabytes of shapefiles (4,000,000 station points, 40,000 covered parts); the 10k scale measures the layers
postgis: about an hour at this size to load 4,000,000 footprints and run the three queries" ;;
    *) die "unknown scale $1 (jiangxi-disc64, synthetic-10k, synthetic-40k)" ;;
    esac
    SCALE_SKIP_NAMES=$(printf '%s\n' "$SCALE_SKIP" | sed -n 's/:.*//p' | paste -sd,)
    [[ $MODE == quick ]] && SCALE_REPEATS=3
    [[ -n $REPEATS ]] && SCALE_REPEATS=$REPEATS
    [[ -f $SCENARIO ]] || die "$SCENARIO is missing"
}

# The synthetic maps are made on demand (bench/maps/ is not committed).
ensure_map() {
    local scale=$1
    if ((SYNTH > 0)); then
        local dir=$BENCH/maps/synth-$SYNTH
        [[ -f $dir/townships.shp ]] && return 0
        say "$scale: making the synthetic map ($SYNTH townships) in $dir"
        "$BIN" mapgen --synthetic "$SYNTH" --out "$dir" --seed 1 >"$TMP/$scale/mapgen.log"
        return 0
    fi
    local map
    map=$($PY "$BENCH/bench.py" ini "$SCENARIO" map.file "${SETS[@]}")
    [[ $map == /* ]] || map=$(dirname "$SCENARIO")/$map
    [[ -f $map ]] || die "$scale: the map $map is missing: build the Jiangxi map first" \
        "(towncov mapgen --counties ... --out maps/jiangxi), or pass --set map.file=PATH"
}

# A scale's runs are reused (full mode) only by the same binary, scenario and options.
prepare_scale_dir() {
    local dir=$TMP/$1 stamp
    stamp=$(cat "$BIN" "$SCENARIO" | sha256sum | cut -c1-16)-$(printf '%s ' "${SETS[@]}" | sha256sum | cut -c1-16)
    if [[ $MODE == quick || $FRESH == yes || ! -f $dir/stamp || $(cat "$dir/stamp") != "$stamp" ]]; then
        rm -rf "$dir"
    else
        say "$1: resuming (finished runs are kept; --fresh discards them)"
    fi
    mkdir -p "$dir"
    echo "$stamp" >"$dir/stamp"
    : >"$dir/skipped.txt"
}

# ---- towncov runs -------------------------------------------------------------
# run_towncov DIR THREADS [towncov options...]: one run into DIR, timed from
# outside (wall clock, GNU time's peak RSS). Skipped when DIR is complete.
run_towncov() {
    local dir=$1 threads=$2 t0 t1
    shift 2
    if [[ -f $dir/time.json ]]; then
        say "  reuse ${dir#"$TMP"/}"
        return 0
    fi
    say "  run   ${dir#"$TMP"/} ($threads threads${*:+, $*})"
    mkdir -p "$(dirname "$dir")"
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$dir.rss" \
        "$BIN" run "$SCENARIO" --quiet --threads "$threads" --out "$dir" "${SETS[@]}" "$@"
    t1=$(now)
    local rss user sys
    read -r rss user sys < <(tail -n1 "$dir.rss")
    printf '{"start": %s, "end": %s, "max_rss_kb": %s, "user_s": %s, "sys_s": %s}\n' \
        "$t0" "$t1" "$rss" "$user" "$sys" >"$dir/time.json"
    rm -f "$dir.rss"
}

run_scaling() {
    local scale=$1 keep_sites=$2 t r dir
    for ((r = 1; r <= SCALE_REPEATS; r++)); do # repeats outermost: drift spreads evenly
        for t in $THREADS; do
            dir=$TMP/$scale/scale/t$t-r$r
            run_towncov "$dir" "$t"
            # sites.csv is large; PostGIS needs the reference run's only.
            [[ $keep_sites == yes && $t == "$REF_THREADS" && $r == 1 ]] || rm -f "$dir/sites.csv"
        done
    done
}

run_comparators() {
    local scale=$1 dir=$TMP/$1
    if ! has naive "$SKIP" && ! has naive "$SCALE_SKIP_NAMES"; then
        run_towncov "$dir/naive" 1 --engine naive
        rm -f "$dir/naive/sites.csv"
    fi
    if ! has geos "$SKIP"; then
        run_towncov "$dir/geos" "$REF_THREADS" --engine geos
        rm -f "$dir/geos/sites.csv"
    fi
    if ! has outputs "$SKIP" && ! has outputs "$SCALE_SKIP_NAMES"; then
        run_towncov "$dir/outputs" "$REF_THREADS" --set output.layers=yes --set output.picture=yes
        rm -rf "$dir/outputs/"*.{shp,shx,dbf,prj,cpg,qml,qgs,png} "$dir/outputs/sites.csv"
    fi
    if ! has postgis "$SKIP" && ! has postgis "$SCALE_SKIP_NAMES"; then
        run_postgis "$scale" "$dir/scale/t$REF_THREADS-r1"
    fi
}

# ---- PostGIS: a throwaway cluster on a unix socket ---------------------------
# Commands of the cluster run as an unprivileged user when we are root
# (initdb refuses root).
as_pg() {
    if [[ $(id -u) == 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi
}

pg_start() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    PGDIR=$(mktemp -d /tmp/towncov-bench-pg.XXXXXX)
    chmod 755 "$PGDIR"
    [[ $(id -u) == 0 ]] && chown nobody "$PGDIR"
    as_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U bench -A trust -E UTF8 --locale=C --no-sync >/dev/null
    # Durability off (a throwaway cluster); memory generous; JIT off (its
    # compile time is noise next to GEOS); parallel workers available.
    as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -s start -o "\
 -c listen_addresses='' -c unix_socket_directories=$PGDIR -c fsync=off\
 -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c work_mem=256MB\
 -c maintenance_work_mem=1GB -c max_wal_size=8GB -c jit=off -c max_worker_processes=8\
 -c max_parallel_workers=8"
    pg_psql -d postgres -c "CREATE DATABASE bench" >/dev/null
}

pg_stop() {
    [[ -n $PGDIR ]] || return 0
    as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -s stop >/dev/null 2>&1 || true
    rm -rf "$PGDIR"
    PGDIR=""
}

pg_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -U bench "$@"
}

# pg_query NAME SQLFILE [psql -v options]: one timed query, results in NAME.csv.
pg_query() {
    local out=$1 sql=$2 t0 t1 workers
    shift 2
    # The plan first (not timed): how many workers the planner gives it.
    pg_psql -d bench "$@" -v explain=EXPLAIN -f "$sql" >"$out.plan.txt"
    workers=$(sed -n 's/.*Workers Planned: \([0-9]*\).*/\1/p' "$out.plan.txt" | head -n1)
    t0=$(now)
    pg_psql -d bench --csv "$@" -v explain= -f "$sql" >"$out.csv"
    t1=$(now)
    printf '{"start": %s, "end": %s, "workers_planned": %s}\n' "$t0" "$t1" "${workers:-0}" >"$out.json"
}

run_postgis() {
    local scale=$1 ref=$2 dir=$TMP/$1/postgis
    if [[ -f $dir/func-w2.json ]]; then
        say "  reuse $scale/postgis"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    local map crs vertices radii k
    map=$($PY "$BENCH/bench.py" json "$ref/summary.json" map)
    crs=$($PY "$BENCH/bench.py" json "$ref/summary.json" metric_crs)
    vertices=$($PY "$BENCH/bench.py" ini "$SCENARIO" radio.vertices "${SETS[@]}")
    radii=""
    for k in subdistrict town township special; do
        radii+="${radii:+, }('$k', $($PY "$BENCH/bench.py" ini "$SCENARIO" "radio.radius_${k}_m" "${SETS[@]}"))"
    done
    grep -q 'WGS_1984\|WGS 84' "${map%.shp}.prj" || die "$map: PostGIS load assumes lon/lat WGS 84 (SRID 4326)"

    say "  run   $scale/postgis: start a throwaway cluster in /tmp"
    pg_start
    pg_psql -d bench -c "CREATE EXTENSION postgis" >/dev/null
    $PY "$BENCH/bench.py" meta-set "$TMP/meta.json" libraries.postgis "$(pg_psql -d bench -tA -c \
        "SELECT 'PostGIS ' || postgis_lib_version() || ' (GEOS ' || postgis_geos_version() || ', PROJ ' || postgis_proj_version() || ')'")"

    say "  run   $scale/postgis: load (shp2pgsql, COPY sites.csv, footprints in SQL, GiST)"
    local t0 t1
    t0=$(now)
    shp2pgsql -s 4326 -D -W UTF-8 "$map" townships_src 2>/dev/null | pg_psql -d bench >/dev/null
    pg_psql -d bench -v srid=990001 -v metric_crs="$crs" -v vertices="$vertices" \
        -v densify_deg=0.005 -v radii="$radii" -f "$BENCH/postgis/load.sql" \
        <"$ref/sites.csv" >"$dir/load.txt"
    t1=$(now)
    printf '{"start": %s, "end": %s}\n' "$t0" "$t1" >"$dir/load.json"

    say "  run   $scale/postgis: natural query"
    pg_query "$dir/natural" "$BENCH/postgis/natural.sql"
    say "  run   $scale/postgis: PARALLEL SAFE function, 0 workers"
    pg_query "$dir/func-w0" "$BENCH/postgis/function.sql" -v workers=0
    say "  run   $scale/postgis: PARALLEL SAFE function, 2 workers"
    pg_query "$dir/func-w2" "$BENCH/postgis/function.sql" -v workers=2
    pg_stop
}

# ---- results ------------------------------------------------------------------
plot_scaling() {
    local prefix=$1 scales=($2) plot="" i=0 s
    rm -f "$prefix-scaling.png"
    if ! grep -q '^[0-9]' "$prefix-scaling.dat"; then
        say "one thread count only: no scaling plot"
        return 0
    fi
    for s in "${scales[@]}"; do
        plot+="${plot:+, }'$prefix-scaling.dat' index $i using 1:COL with linespoints title '$s TITLE'"
        i=$((i + 1))
    done
    local sp=${plot//COL/2} se=${plot//COL/4} ec=${plot//COL/3} ee=${plot//COL/5}
    gnuplot <<EOF
set terminal pngcairo size 1200,500 font ",10"
set output '$prefix-scaling.png'
set multiplot layout 1,2 title "towncov thread scaling ($(basename "$prefix"))"
set xlabel 'threads'; set grid; set key left top
set ylabel 'speedup over 1 thread'
plot x title 'ideal' dashtype 2 lc rgb 'gray', ${sp//TITLE/coverage}, ${se//TITLE/end to end}
set ylabel 'parallel efficiency'; set yrange [0:1.1]; set key left bottom
plot 1 title 'ideal' dashtype 2 lc rgb 'gray', ${ec//TITLE/coverage}, ${ee//TITLE/end to end}
unset multiplot
EOF
}

# Replaces the table between the markers in bench/README.md with the latest one.
update_readme() {
    local md=$1 readme=$BENCH/README.md
    grep -q '<!-- bench:latest:begin -->' "$readme" 2>/dev/null || return 0
    $PY - "$readme" "$md" <<'EOF'
import re, sys
readme, md = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
table = open(md, encoding="utf-8").read().strip()
new = re.sub(r"(<!-- bench:latest:begin -->\n).*?(\n<!-- bench:latest:end -->)",
             lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
open(readme, "w", encoding="utf-8").write(new)
EOF
}

# Timings mean little while other processes compete for the cores.
warn_if_busy() {
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    if $PY -c "import sys; sys.exit(0 if $load > 0.25 * $(nproc) else 1)"; then
        say "warning: load average $load on $(nproc) cores: other processes compete," \
            "timings will be slow and noisy (the results record it)"
    fi
}

# ---- main ---------------------------------------------------------------------
cleanup() {
    pg_stop
}

main() {
    parse_args "$@"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    [[ -x $BIN ]] || die "$BIN not found: build it first (make), or set TOWNCOV_BIN"
    BIN=$(realpath "$BIN")
    ensure_tools
    REF_THREADS=2
    (($(nproc) < 2)) && REF_THREADS=1
    mkdir -p "$TMP"
    local pg=yes
    has postgis "$SKIP" && pg=no
    $PY "$BENCH/bench.py" meta "$REPO" "$BIN" "$MODE" "$REF_THREADS" "$pg" >"$TMP/meta.json"
    say "$MODE: scales $SCALES; threads $THREADS"
    warn_if_busy

    local scale
    for scale in $SCALES; do
        scale_config "$scale"
        prepare_scale_dir "$scale"
        [[ -n $SCALE_SKIP ]] && printf '%s\n' "$SCALE_SKIP" >"$TMP/$scale/skipped.txt"
        ensure_map "$scale"
        say "$scale: $SCALE_REPEATS repeats at $THREADS threads, then the comparators"
        local keep=yes
        { has postgis "$SKIP" || has postgis "$SCALE_SKIP_NAMES"; } && keep=no
        run_scaling "$scale" "$keep"
        run_comparators "$scale"
    done

    local prefix rc=0
    prefix=$BENCH/results/$(date +%F)-$(hostname -s)
    $PY "$BENCH/bench.py" meta-set "$TMP/meta.json" machine.loadavg_end "$(cut -d' ' -f1 /proc/loadavg)"
    $PY "$BENCH/bench.py" report --tmp "$TMP" --meta "$TMP/meta.json" --prefix "$prefix" $SCALES || rc=$?
    ((rc == 0 || rc == 3)) || die "report failed"
    plot_scaling "$prefix" "$SCALES"
    rm -f "$prefix-scaling.dat"
    update_readme "$prefix.md"
    say "wrote $(cd "$(dirname "$prefix")" && ls "$(basename "$prefix")"* | paste -sd' ') in $(dirname "$prefix")"
    ((rc == 0)) || die "a comparator disagrees with towncov ($TOLERANCE_NOTE); see above"
}

main "$@"
