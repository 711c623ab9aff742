"""The tree's promises: studies live apart from the product (issue 19, item 7)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {ROOT / "wand" / "bench.py"}  # `wand bench` runs the studies; nothing else may


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_product_module_imports_the_studies():
    product = [p for p in (ROOT / "wand").rglob("*.py") if p not in ALLOWED]
    product += [p for p in (ROOT / "training").glob("*.py")]
    assert len(product) > 50
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.startswith("training.studies"))
                 for p in product}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_studies_are_one_folder_apart_from_the_pipeline():
    studies = ROOT / "training" / "studies"
    assert (studies / "recognisers" / "study.py").is_file()
    for name in ("vocabulary_study.py", "reject_study.py", "spotting.py"):
        assert (studies / name).is_file()
        assert not (ROOT / "training" / name).exists()
    assert not (ROOT / "training" / "recognisers").exists()


def test_nothing_outside_the_tests_reaches_into_them():
    """The product and the studies never import test scaffolding (a study that put tests/
    on sys.path would break the day a test helper changed for a test's sake)."""
    sources = [p for p in (ROOT / "wand").rglob("*.py")] + [p for p in (ROOT / "training").rglob("*.py")]
    helpers = {p.stem for p in (ROOT / "tests").glob("*.py")} - {"__init__"}
    assert {"stroke_tries", "conftest"} <= helpers
    offenders = {}
    for p in sources:
        text = p.read_text()
        bad = sorted(n for n in _imports(p) if n.split(".")[0] in helpers or n.startswith("tests"))
        if bad or "sys.path" in text:
            offenders[str(p.relative_to(ROOT))] = bad or ["sys.path changed"]
    assert offenders == {}
