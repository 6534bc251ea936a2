"""requirements.txt (pip) and environment.yml (conda/Binder) must pin the same versions."""

import re
import tomllib

from tipreport.paths import REPO_ROOT


def pins(lines):
    return dict(re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s]+)", line).groups() for line in lines)


def requirement_lines():
    text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def environment_pip_lines():
    text = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(r"^\s+- ([A-Za-z0-9_.\-]+==\S+)\s*$", text, re.MULTILINE)]


def test_every_requirement_is_pinned_exactly():
    assert requirement_lines()
    assert all("==" in line for line in requirement_lines())


def test_environment_yml_pins_the_same_versions_as_requirements_txt():
    assert pins(environment_pip_lines()) == pins(requirement_lines())


def test_environment_yml_python_matches_the_supported_minimum():
    text = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    python = re.search(r"^\s+- python=(\S+)\s*$", text, re.MULTILINE).group(1)
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert requires == f">={python}"
    assert "=" not in python and python.count(".") == 1, "no build strings, major.minor only"


def test_no_build_strings_in_environment_yml():
    for line in (REPO_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        assert not re.search(r"=\S+=\S+", line.split("#")[0]), line
