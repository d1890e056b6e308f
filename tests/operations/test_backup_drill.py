"""The backup drill: backup.sh, restore.sh into a fresh database, equal row counts."""

import os
import re
import subprocess
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url():
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _drill(media, drill_database):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "DRILL_DATABASE": drill_database,
    }
    return subprocess.run(
        [str(ROOT / "scripts" / "backup_drill.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_backup_drill_restores_every_row_and_file(demo_copy, tmp_path):
    media = tmp_path / "media"
    (media / "uploads" / "drill").mkdir(parents=True, exist_ok=True)
    (media / "uploads" / "drill" / "report.pdf").write_bytes(b"%PDF-1.4 test")
    # A scratch database of this run's own: other runs on the machine drill too.
    drill_database = f"lra_drill_{uuid.uuid4().hex[:16]}"
    result = _drill(media, drill_database)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Drill passed" in result.stdout
    assert f"(into {drill_database}, now dropped)" in result.stdout
    files = int(re.search(r"(\d+) files", result.stdout).group(1))
    assert files == sum(1 for p in media.rglob("*") if p.is_file()) >= 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [drill_database])
        assert cursor.fetchone()[0] == 0  # the drill cleans up after itself
