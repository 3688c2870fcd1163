"""constraints.txt pins what `make`, CI and deploy/Dockerfile install: checked against pyproject.toml
and against the environment this suite runs in."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def pins() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = _PIN.match(line.strip())
        assert m, f"not an exact pin: {line!r}"
        name = canonicalize_name(m.group(1))
        assert name not in out, f"pinned twice: {name}"
        out[name] = m.group(2)
    return out


def requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    listed = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        listed += group
    return [Requirement(r) for r in listed]


def test_every_requirement_is_pinned_within_its_range() -> None:
    pinned = pins()
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not pinned in constraints.txt (make lock)"
        assert req.specifier.contains(pinned[name], prereleases=True), \
            f"{req.name}=={pinned[name]} is outside pyproject.toml's {req.specifier}"


def test_the_suite_runs_on_the_pinned_versions() -> None:
    # `make` installs with -c constraints.txt: a mismatch means the venv predates the pins (make
    # clean) or the pins were edited without `make lock`.
    pinned = pins()
    for req in requirements():
        name = canonicalize_name(req.name)
        assert metadata.version(req.name) == pinned[name], req.name


def test_make_and_the_image_install_with_the_constraints() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    assert re.search(r"pip install .*-c constraints\.txt -e '\.\[dev\]'", makefile)
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text("utf-8")
    assert re.search(r"pip install -c constraints\.txt \.", dockerfile)
    assert "!constraints.txt" in (REPO / "deploy" / "Dockerfile.dockerignore").read_text("utf-8")
