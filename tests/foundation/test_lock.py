"""The dependency locks (requirements/*.lock) agree with pyproject.toml.

`make install`, CI and the Dockerfile install only from the locks, so a requirement added to
pyproject.toml without `make lock` would silently not be installed (or be installed at a
version pyproject forbids). These tests fail until the locks are regenerated.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"runtime": ROOT / "requirements" / "runtime.lock", "dev": ROOT / "requirements" / "dev.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def read_lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) for every package in a pip-compile lock."""
    pins: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in pins, f"{path.name}: {current} pinned twice"
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif not line.startswith((" ", "#")) and line.strip():
            raise AssertionError(f"{path.name}: unexpected line {line!r}")
    return pins


def project_requirements() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    dev = runtime + [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return {"runtime": runtime, "dev": dev}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_requirement_is_locked_at_an_allowed_version(lock: str) -> None:
    pins = read_lock(LOCKS[lock])
    for requirement in project_requirements()[lock]:
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": "dev"}):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is in pyproject.toml but not in {lock}.lock: run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock}.lock pins {name}=={version}, which pyproject.toml's {requirement} forbids: "
            "run `make lock`"
        )


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_package_carries_hashes(lock: str) -> None:
    for name, (_, hashes) in read_lock(LOCKS[lock]).items():
        assert hashes >= 1, f"{lock}.lock: {name} has no --hash (pip --require-hashes would refuse)"


def test_runtime_lock_is_the_dev_lock_restricted() -> None:
    """The image (runtime lock) runs exactly the versions the suite (dev lock) tested."""
    runtime, dev = read_lock(LOCKS["runtime"]), read_lock(LOCKS["dev"])
    for name, (version, _) in runtime.items():
        assert name in dev and dev[name][0] == version, (
            f"{name}: runtime.lock {version}, dev.lock {dev.get(name, ('absent',))[0]}"
        )


def test_installers_use_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/dev.lock" in makefile
    assert "--no-deps -e ." in makefile
    assert "--require-hashes" in dockerfile and "requirements/runtime.lock" in dockerfile
