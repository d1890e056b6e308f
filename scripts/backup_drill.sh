#!/usr/bin/env bash
# The backup drill: back up a database and its files, restore them into a
# fresh database and folder, and compare the row count of every table and the
# list of files. Exits non-zero on any difference. Leaves nothing behind.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/lra MEDIA_ROOT=media scripts/backup_drill.sh
# DRILL_DATABASE names the scratch database (default: a new unique name).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${DATABASE_URL:?Set DATABASE_URL to the database to drill}"
MEDIA_ROOT="${MEDIA_ROOT:-$here/../media}"
work="$(mktemp -d)"
drill_db="${DRILL_DATABASE:-lra_drill_$(date +%s)_$$_${RANDOM}}"
base_url="${DATABASE_URL%/*}"
drill_url="$base_url/$drill_db"
cleanup() {
  psql -q "$base_url/postgres" -c "DROP DATABASE IF EXISTS \"$drill_db\"" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

counts() {  # "table count" for every table in the public schema, sorted
  psql -At "$1" -c "
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name" |
  while read -r table; do
    echo "$table $(psql -At "$1" -c "SELECT count(*) FROM \"$table\"")"
  done
}

DATABASE_URL="$DATABASE_URL" MEDIA_ROOT="$MEDIA_ROOT" "$here/backup.sh" "$work/backup" >/dev/null
psql -q "$base_url/postgres" -c "CREATE DATABASE \"$drill_db\"" >/dev/null
mkdir -p "$work/media"
DATABASE_URL="$drill_url" MEDIA_ROOT="$work/media" "$here/restore.sh" "$work/backup" >/dev/null

counts "$DATABASE_URL" > "$work/source.txt"
counts "$drill_url" > "$work/restored.txt"
( cd "$MEDIA_ROOT" 2>/dev/null && find . -type f | sort ) > "$work/source-files.txt" || true
( cd "$work/media" && find . -type f | sort ) > "$work/restored-files.txt"

status=0
if ! diff -u "$work/source.txt" "$work/restored.txt"; then
  echo "DRILL FAILED: row counts differ"; status=1
fi
if ! diff -u "$work/source-files.txt" "$work/restored-files.txt"; then
  echo "DRILL FAILED: uploaded files differ"; status=1
fi
tables=$(wc -l < "$work/source.txt")
rows=$(awk '{s += $2} END {print s + 0}' "$work/source.txt")
files=$(wc -l < "$work/source-files.txt")
[ "$status" -eq 0 ] && echo "Drill passed: $tables tables, $rows rows and $files files restored identically (into $drill_db, now dropped)."
exit "$status"
