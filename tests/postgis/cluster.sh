# cluster.sh — sourced: starts a throwaway PostgreSQL + PostGIS cluster
# (initdb/pg_ctl in a temporary folder, a free local port on 127.0.0.1,
# its own socket folder) and stops it and removes the folder on EXIT, even
# on failure. Sets work (the folder), port, password, pg (towncov's
# "PG:..." connection string to database tc, PostGIS created), psql (an
# array: the psql command for the cluster) and sql (a function: one
# statement on tc, unaligned output). A server that cannot start exits 1:
# never a skip. initdb refuses root: as root the cluster belongs to the
# postgres user. PG_FSYNC=on keeps fsync (benchmarks); the tests run without.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "postgis: no initdb (postgresql package)" >&2; exit 1; }

work=$(mktemp -d /tmp/towncov-pg-XXXXXX)
chmod 755 "$work"
# initdb refuses root: the cluster belongs to the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/db" "$work/sock"
[ "$(id -u)" = 0 ] && chown postgres "$work/db" "$work/sock"
started=0
cleanup() {
    [ "$started" = 1 ] && as_pg "$pgbin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password='s3cret-Pa55'
printf '%s\n' "$password" >"$work/pw"
chmod 644 "$work/pw"
as_pg "$pgbin/initdb" -D "$work/db" -U towncov --pwfile="$work/pw" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; echo "postgis: initdb failed" >&2; exit 1; }
as_pg "$pgbin/pg_ctl" -D "$work/db" -l "$work/db/server.log" -w -t 60 \
    -o "-p $port -k $work/sock -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" start >/dev/null \
    || { cat "$work/db/server.log" >&2; echo "postgis: the server did not start" >&2; exit 1; }
started=1
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$work/sock" -p "$port" -U towncov)
"${psql[@]}" -d postgres -c "CREATE DATABASE tc"
"${psql[@]}" -d tc -c "CREATE EXTENSION postgis"
sql() { "${psql[@]}" -d tc -At -c "$1"; }
pg="PG:dbname=tc host=127.0.0.1 port=$port user=towncov password=$password"


