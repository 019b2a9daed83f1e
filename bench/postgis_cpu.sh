#!/usr/bin/env bash
# The PostGIS output's CPU on both sides: towncov's (/usr/bin/time) and the
# server's, as the postmaster's reaped children's CPU (cutime + cstime in
# /proc: the backend exits when towncov disconnects). Run beside a
# throwaway cluster:
#   bench/with_postgis.sh bench/postgis_cpu.sh BIN [RUNS] [--set ...]
set -euo pipefail
bin=$1; runs=${2:-3}; shift $(($# > 1 ? 2 : 1))
port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$TOWNCOV_PG")
pm=$(ps -eo pid,args | awk -v p="$port" '$2 ~ /postgres$/ && $0 ~ ("-p " p " ") { print $1; exit }')
tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{ print ($16 + $17) / t }' "/proc/$pm/stat"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq 1 "$runs"); do
    before=$(cpu)
    /usr/bin/time -f "towncov: %U user %S sys %e wall" "$bin" run scenarios/jiangxi-65k.ini \
        --threads 2 --quiet --out "$out/run" --set "output.postgis=$TOWNCOV_PG" "$@" 2>&1 | tail -1
    sleep 2 # the backend's exit reaped
    echo "server backend cpu: $(echo "$(cpu) - $before" | bc) s"
done
