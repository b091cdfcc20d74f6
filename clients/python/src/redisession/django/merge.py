"""How a save that lost a compare-and-set keeps both requests' writes, or fails rather than lose one.

Two requests that load the same session and both save it: the first save wins the version; the second gets
ABORTED. The engine then reads the session again and replays its own changes (the top-level keys it set or
deleted since it loaded) on top of the other request's, as long as the two touched different keys. When both
touched the same key, either result would lose one of them (two counters read as 1 and written as 2 are one
increment lost), so the save fails with Django's UpdateError and the request ends with SessionInterrupted.
"""

from __future__ import annotations

from typing import Any

_ABSENT = object()


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The top-level keys whose value differs between ``before`` and ``after`` (added, removed or changed)."""
    return {key for key in before.keys() | after.keys() if before.get(key, _ABSENT) != after.get(key, _ABSENT)}


def merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any] | None:
    """``theirs`` with the changes ``mine`` made to ``base``; None when both changed one key."""
    my_keys = changed_keys(base, mine)
    if my_keys & changed_keys(base, theirs):
        return None
    merged = dict(theirs)
    for key in my_keys:
        if key in mine:
            merged[key] = mine[key]
        else:
            merged.pop(key, None)
    return merged
