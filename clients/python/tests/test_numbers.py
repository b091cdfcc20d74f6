"""What numbers read back as: a Struct carries doubles; the client gives ints back where a double is one."""

from __future__ import annotations

import pytest
from service_process import Service

from redisession import SessionClient

DATA = {
    "int": 42,
    "negative": -7,
    "zero": 0,
    "largest_exact": 2**53,
    "smallest_exact": -(2**53),
    "fraction": 1.5,
    "beyond_exact": 2.0**60,
    "nested": {"list": [1, 2.25, {"deep": 3}]},
    "bool": True,
    "null": None,
}


def test_integral_doubles_within_2_53_come_back_as_ints(client: SessionClient) -> None:
    data = client.get_session(client.create_session(DATA).key).data
    assert data == DATA
    assert type(data["int"]) is int and type(data["largest_exact"]) is int and type(data["smallest_exact"]) is int
    assert type(data["nested"]["list"][0]) is int and type(data["nested"]["list"][2]["deep"]) is int
    assert type(data["fraction"]) is float
    # Beyond 2**53 a double is no longer an exact integer, so it stays a float.
    assert type(data["beyond_exact"]) is float
    assert type(data["bool"]) is bool


def test_an_integral_float_comes_back_as_an_int(client: SessionClient) -> None:
    # The caveat: a Struct cannot tell 1.0 from 1.
    data = client.get_session(client.create_session({"f": 1.0}).key).data
    assert data == {"f": 1} and type(data["f"]) is int


def test_ints_a_double_cannot_hold_are_refused_not_rounded(client: SessionClient) -> None:
    with pytest.raises(ValueError, match=r"data.big = 9007199254740993 is beyond 2\*\*53"):
        client.create_session({"big": 2**53 + 1})


def test_json_format_keeps_every_digit_and_type(service: Service, store: str) -> None:
    with SessionClient(service.target, store=store, data_format="json") as client:
        data = {"big": 2**64 + 1, "f": 1.0, "i": 1}
        info = client.create_session(data)
        session = client.get_session(info.key)
        assert session.data == data
        assert type(session.data["f"]) is float and type(session.data["i"]) is int
        assert session.data_json == '{"big":18446744073709551617,"f":1.0,"i":1}'
