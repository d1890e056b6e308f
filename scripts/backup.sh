#!/usr/bin/env bash
# Back up LRA Commissioning: the PostgreSQL database (pg_dump custom format)
# and the uploaded files (a tar of MEDIA_ROOT), into one dated folder.
#   DATABASE_URL=postgres://... MEDIA_ROOT=/app/media scripts/backup.sh [folder]
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the database to back up}"
MEDIA_ROOT="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
out="${1:-backups/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
pg_dump --format=custom --no-owner --no-privileges --file="$out/database.dump" "$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$out/media.tar.gz" -C "$MEDIA_ROOT" .
else
  tar -czf "$out/media.tar.gz" --files-from /dev/null
fi
( cd "$out" && sha256sum database.dump media.tar.gz > SHA256SUMS )
echo "$out"
