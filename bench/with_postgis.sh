#!/usr/bin/env bash
# Runs a command beside a throwaway local PostgreSQL + PostGIS cluster (the
# tests' tests/postgis/cluster.sh, fsync on as a real server has it), with
# TOWNCOV_PG set to its "PG:..." connection string; stops it afterwards.
#   bench/with_postgis.sh COMMAND [ARG ...]
# e.g. the PostGIS output's cost on the default run, side by side:
#   bench/with_postgis.sh sh -c 'TIMER build/towncov run scenarios/jiangxi-65k.ini \
#       --threads 2 --quiet --out /tmp/a --set "output.postgis=$TOWNCOV_PG"'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PG_FSYNC=on
# shellcheck source=tests/postgis/cluster.sh
. "$root/tests/postgis/cluster.sh"
export TOWNCOV_PG="$pg"
"$@"
