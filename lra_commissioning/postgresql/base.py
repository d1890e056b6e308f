"""Django's PostgreSQL backend, whose connection health check answers a question.

With `CONN_HEALTH_CHECKS` on, Django checks a kept connection before the first
query of each request by running `SELECT 1` (`is_usable`). On a kept staff
page the first query is the page cache's own: whether a generation move is
pending (lra_commissioning/page_cache.py). So the page made two round trips
where one does. Here the health check runs `health_check_sql` instead (the page
cache sets it on each new connection) and keeps the row it read in
`health_check_answer`; a caller that cleared the answer, opened a cursor
(which is when Django makes the check, if one is due) and finds an answer,
has its question answered by the check itself.

Everything else is Django's backend unchanged (`settings.DATABASES` names this
module as the ENGINE for PostgreSQL). Subclassing a built-in backend is the
extension point Django documents for this; tests/lra_commissioning/test_page_cache.py
pins the one round trip.
"""

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_sql = "SELECT 1"
    health_check_answer = None

    def is_usable(self):
        if self.connection is None:
            return False
        try:
            # A psycopg cursor directly, bypassing Django's utilities, as Django's check does.
            with self.connection.cursor() as cursor:
                cursor.execute(self.health_check_sql)
                answer = cursor.fetchone()
        except base.Database.ProgrammingError:
            return True  # the server answered (the question's table is not there yet)
        except base.Database.Error:
            return False
        self.health_check_answer = answer
        return True
