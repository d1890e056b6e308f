#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and media folder.
#   DATABASE_URL=postgres://.../new_db MEDIA_ROOT=/app/media scripts/restore.sh backups/<stamp>
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the (empty) database to restore into}"
backup="${1:?Give the backup folder made by scripts/backup.sh}"
MEDIA_ROOT="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
( cd "$backup" && sha256sum --check --quiet SHA256SUMS )
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction \
  --dbname="$DATABASE_URL" "$backup/database.dump"
mkdir -p "$MEDIA_ROOT"
tar -xzf "$backup/media.tar.gz" -C "$MEDIA_ROOT"
echo "Restored $backup"
