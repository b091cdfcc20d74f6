"""A small app using sessions the way sites do: a login, a counter, a logout; and two views that race."""

from __future__ import annotations

import threading

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, JsonResponse

# The two racing requests of a concurrency test both load the session before either saves: each waits here
# after reading until the other has read too (the timeout only ends a broken test instead of hanging it).
race = threading.Barrier(2, timeout=30)


def login_view(request: HttpRequest) -> JsonResponse:
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return JsonResponse({"user": None}, status=403)
    login(request, user)
    return JsonResponse({"user": user.get_username()})


def logout_view(request: HttpRequest) -> JsonResponse:
    logout(request)
    return JsonResponse({"user": None})


def whoami(request: HttpRequest) -> JsonResponse:
    user = request.user.get_username() if request.user.is_authenticated else None
    return JsonResponse({"user": user, "count": request.session.get("count")})


def count(request: HttpRequest) -> JsonResponse:
    request.session["count"] = request.session.get("count", 0) + 1
    return JsonResponse({"count": request.session["count"]})


def race_set(request: HttpRequest, name: str) -> JsonResponse:
    request.session[name] = True
    race.wait()
    return JsonResponse({"set": name})


def race_count(request: HttpRequest) -> JsonResponse:
    seen = request.session.get("count", 0)
    race.wait()
    request.session["count"] = seen + 1
    return JsonResponse({"count": seen + 1})
