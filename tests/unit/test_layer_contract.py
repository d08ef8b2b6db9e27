"""The import-linter contract really guards the layers: it breaks when a rule is broken."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
STDLIB_ONLY = "Domain and application import the standard library only"
NO_FRAMEWORKS = "Domain and application stay free of frameworks and drivers"
LAYERS = "Layers: entrypoints > adapters > application > domain"


def copy_project(destination: Path) -> Path:
    for package in ("domain", "application", "adapters", "entrypoints", "tools"):
        shutil.copytree(
            ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contract_holds_on_the_code_as_it_is(tmp_path: Path) -> None:
    result = lint_imports(copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # A third-party package nobody thought to list.
        ("domain/shared/leak.py", "import httpx\n", STDLIB_ONLY),
        ("application/shared/leak.py", "import yaml\n", STDLIB_ONLY),
        # A framework the forbidden list names.
        ("domain/shared/leak.py", "import msgspec\n", NO_FRAMEWORKS),
        # A layer reaching upwards.
        ("domain/shared/leak.py", "from entrypoints import settings\n", LAYERS),
        ("application/shared/leak.py", "import adapters.system.clock\n", LAYERS),
    ],
)
def test_a_forbidden_import_breaks_the_contract(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    project = copy_project(tmp_path)
    (project / module).write_text(f'"""Breaks the rules on purpose."""\n\n{source}')
    result = lint_imports(project)
    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert f"{broken} BROKEN" in report, report
    assert module.replace("/", ".").removesuffix(".py") in report
