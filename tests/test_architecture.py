"""The architecture's one-way flow, as import-linter contracts (pyproject.toml, [tool.importlinter]):
`lint-imports` checks every module of every package, and every contract covers every package."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_lint_imports_keeps_every_contract():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "import-linter is not installed (pip install -e '.[test]')"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " 0 broken" in done.stdout


def test_the_contracts_cover_every_package_the_wheel_ships():
    shipped = {pattern.removesuffix("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    linter = PYPROJECT["tool"]["importlinter"]
    assert set(linter["root_packages"]) == shipped
    (layers,) = [c for c in linter["contracts"] if c["type"] == "layers"]
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert layered == shipped, "a package outside the layers is unchecked"
