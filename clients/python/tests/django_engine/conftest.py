"""Django configured for the engine's tests: sessions on the test service (store "string" unless a test binds
another), the demo app's URLs, Django's own sessions_tests app (fetched, see django_source.py), an in-memory test
database."""

from __future__ import annotations

import django
from django.conf import settings
from django_source import add_session_tests_to_path
from service_process import shared_service

add_session_tests_to_path()
settings.configure(
    SECRET_KEY="redisession-tests",
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    USE_TZ=True,
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "sessions_tests",
        "demo_app",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    ROOT_URLCONF="demo_app.urls",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    SESSION_ENGINE="redisession.django",
    REDISESSION={"TARGET": shared_service().target, "STORE": "string"},
    STATIC_URL="/static/",
    LOGGING_CONFIG=None,
)
django.setup()

from django.db import connection  # noqa: E402  (after setup)
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
connection.creation.create_test_db(verbosity=0)
