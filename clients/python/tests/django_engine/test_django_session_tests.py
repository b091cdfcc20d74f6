"""Django's own SessionTestsMixin (from the installed Django's source distribution) bound to this engine, the way
Django binds its cache backend, once on a string store and once on a hash store.

Skipped: nothing. Every test of the mixin runs; the tests Django writes for other backends (their storage, their
settings) are not part of the mixin and are not imported.
"""

from __future__ import annotations

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from sessions_tests.tests import SessionTestsMixin

from redisession.django import SessionStore


def _on_store(store: str) -> override_settings:
    return override_settings(REDISESSION={**settings.REDISESSION, "STORE": store})


@_on_store("string")
class StringStoreSessionTests(SessionTestsMixin, SimpleTestCase):
    backend = SessionStore


@_on_store("hash")
class HashStoreSessionTests(SessionTestsMixin, SimpleTestCase):
    backend = SessionStore
