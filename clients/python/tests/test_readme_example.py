"""The README's Python example, run as written against the test service (only its address is replaced)."""

from __future__ import annotations

import re

from service_process import ROOT, Service


def test_the_readme_example_runs(service: Service) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(from redisession import .*?)```", readme, re.S)
    assert len(blocks) == 1, "README.md has one Python client example"
    code = blocks[0].replace('"localhost:50051"', repr(service.target))
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    session = namespace["session"]
    assert session.data == {"user": "ada", "visits": 1}  # type: ignore[attr-defined]
