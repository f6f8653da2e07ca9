"""Sessions read from the cache (Redis in production), kept in the database: Django's cached_db backend,
which does not run a query for the session on every page, made to survive a cache outage.

Django's backend already logs a failed write to the cache; a failed read after a database read, a failed
check for an existing key (at login) and a failed delete (at logout) would raise. Here each falls back to
the database alone, so with Redis down users still log in, browse and log out (a warning in the log)."""

import logging

from django.contrib.sessions.backends import cached_db
from redis.exceptions import RedisError

logger = logging.getLogger("django.contrib.sessions")
CACHE_ERRORS = (RedisError, OSError)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except CACHE_ERRORS:
            logger.warning("Session cache unavailable: reading the session from the database", exc_info=True)
            found = self._get_session_from_db()
            return self.decode(found.session_data) if found else {}

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except CACHE_ERRORS:
            logger.warning("Session cache unavailable: checking the database only", exc_info=True)
            return cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except CACHE_ERRORS:
            logger.warning("Session cache unavailable: the session is deleted from the database", exc_info=True)
            cached_db.DBStore.delete(self, session_key)
