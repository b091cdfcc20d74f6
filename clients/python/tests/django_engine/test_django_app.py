"""The engine under a real Django app (demo_app): through Django's test client and through a real HTTP server."""

from __future__ import annotations

import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import grpc
import pytest
from demo_app import views
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, LiveServerTestCase, TestCase

from redisession import SessionClient, SessionServiceError
from redisession.django import SessionStore


def stored(key: str) -> dict | None:
    """The session under ``key`` as the service holds it, or None."""
    with SessionClient(settings.REDISESSION["TARGET"], store=settings.REDISESSION["STORE"]) as client:
        try:
            return client.get_session(key).data
        except SessionServiceError as error:
            assert error.code == grpc.StatusCode.NOT_FOUND
            return None


class TestClientAppTests(TestCase):
    """Login, a counter across requests, logout, and the key cycled at login, through Django's test client."""

    def setUp(self) -> None:
        User.objects.create_user("ada", password="lovelace")

    def test_counter_login_cycle_and_logout(self) -> None:
        client = Client()
        for expected in (1, 2, 3):
            self.assertEqual(client.post("/count").json(), {"count": expected})
        anonymous_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertEqual(stored(anonymous_key), {"count": 3})

        self.assertEqual(client.post("/login", {"username": "ada", "password": "lovelace"}).json(), {"user": "ada"})
        logged_in_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        # cycle_key at login: a new key, the old one gone, the data kept.
        self.assertNotEqual(logged_in_key, anonymous_key)
        self.assertIsNone(stored(anonymous_key))
        self.assertEqual(client.get("/whoami").json(), {"user": "ada", "count": 3})
        self.assertEqual(stored(logged_in_key)["_auth_user_id"], str(User.objects.get(username="ada").pk))

        client.post("/logout")
        self.assertIsNone(stored(logged_in_key))
        self.assertEqual(client.get("/whoami").json(), {"user": None, "count": None})

    def test_a_forged_cookie_is_no_session(self) -> None:
        client = Client()
        for forged in ("x" * 40, "../../etc/passwd", "0" * 31, "A" * 32, "ü" * 32):
            client.cookies[settings.SESSION_COOKIE_NAME] = forged
            response = client.post("/count")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json(), {"count": 1})
            self.assertNotEqual(client.cookies[settings.SESSION_COOKIE_NAME].value, forged)


class LiveServerAppTests(LiveServerTestCase):
    """The same app served by a real HTTP server (Django's threaded live server) on a free port."""

    def setUp(self) -> None:
        User.objects.create_user("ada", password="lovelace")
        views.race.reset()

    def browser(self) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
        jar = http.cookiejar.CookieJar()
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar

    def request(self, opener: urllib.request.OpenerDirector, path: str, form: dict | None = None) -> tuple[int, dict]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        try:
            with opener.open(self.live_server_url + path, data=data, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, {}

    @staticmethod
    def session_key(jar: http.cookiejar.CookieJar) -> str:
        return next(cookie.value for cookie in jar if cookie.name == settings.SESSION_COOKIE_NAME)

    def test_counter_login_cycle_and_logout(self) -> None:
        opener, jar = self.browser()
        self.assertEqual(self.request(opener, "/count", {}), (200, {"count": 1}))
        self.assertEqual(self.request(opener, "/count", {}), (200, {"count": 2}))
        before = self.session_key(jar)
        self.assertEqual(self.request(opener, "/login", {"username": "ada", "password": "lovelace"})[1]["user"], "ada")
        after = self.session_key(jar)
        self.assertNotEqual(after, before)
        self.assertIsNone(stored(before))
        self.assertEqual(self.request(opener, "/whoami"), (200, {"user": "ada", "count": 2}))
        self.request(opener, "/logout", {})
        self.assertIsNone(stored(after))
        self.assertEqual(self.request(opener, "/whoami"), (200, {"user": None, "count": None}))

    def race(self, opener: urllib.request.OpenerDirector, paths: tuple[str, str]) -> list[int]:
        """Sends the two requests at once; both load the session before either saves (views.race)."""
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda p=p: statuses.append(self.request(opener, p, {})[0])) for p in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(statuses)

    def test_concurrent_requests_changing_different_keys_both_keep_their_write(self) -> None:
        opener, jar = self.browser()
        self.request(opener, "/count", {})
        self.assertEqual(self.race(opener, ("/race/set/cart", "/race/set/theme")), [200, 200])
        self.assertEqual(stored(self.session_key(jar)), {"count": 1, "cart": True, "theme": True})

    def test_concurrent_requests_changing_one_key_fail_one_rather_than_lose_its_write(self) -> None:
        opener, jar = self.browser()
        self.request(opener, "/count", {})
        # Both read count 1 and write 2: saving both would lose an increment without a word. The later save
        # fails (Django answers 400, SessionInterrupted) and the count says what happened: one increment.
        self.assertEqual(self.race(opener, ("/race/count", "/race/count")), [200, 400])
        self.assertEqual(stored(self.session_key(jar)), {"count": 2})


@pytest.mark.parametrize("store", ["string", "hash"])
def test_a_session_logged_out_elsewhere_is_not_brought_back_by_a_merge(store: str) -> None:
    from django.test import override_settings

    with override_settings(REDISESSION={**settings.REDISESSION, "STORE": store}):
        first = SessionStore()
        first["a"] = 1
        first.save()
        other = SessionStore(first.session_key)
        other["b"] = 2
        other.save()
        SessionStore(first.session_key).delete()
        first["c"] = 3
        with pytest.raises(Exception) as raised:
            first.save()
        assert type(raised.value).__name__ == "UpdateError"
        assert SessionStore().exists(first.session_key) is False
