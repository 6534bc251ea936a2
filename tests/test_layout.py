"""The package reads as the flow: data_in → analysis → charts → outputs; no import runs back up it."""

import ast

import pytest

from tipreport.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "tipreport"
#: Each step may import from its own step and the ones before it; paths and fileops are shared by all,
#: the entry modules (the package's __init__, __main__, notebook_setup) may import from every step.
STEPS = {"paths": 0, "fileops": 0, "data_in": 1, "analysis": 2, "charts": 3, "outputs": 4,
         "__init__": 5, "__main__": 5, "notebook_setup": 5}


def step_of(module: str) -> int:
    """The step of a dotted module name inside the package (``tipreport.charts.style`` → charts)."""
    parts = module.split(".")
    assert parts[0] == "tipreport", module
    return STEPS[parts[1]] if len(parts) > 1 else STEPS["__init__"]


def imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) for every tipreport import, at any depth (imports inside functions too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "tipreport"]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"line {node.lineno}: relative import; write tipreport.… in full"
            if node.module and node.module.split(".")[0] == "tipreport":
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                # ``from tipreport.analysis import summaries`` imports the module tipreport.analysis.summaries
                found += [(node.lineno, n if (PACKAGE / "/".join(n.split(".")[1:])).with_suffix(".py").exists()
                           else node.module) for n in names]
    return found


def module_name(path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def backward_imports(module: str, source: str) -> list[str]:
    """One line per import in ``source`` (the text of ``module``) from a later step of the flow."""
    own = step_of(module)
    return [f"{module}:{line}: imports {imported} (step {step_of(imported)} comes after step {own})"
            for line, imported in imported_modules(ast.parse(source)) if step_of(imported) > own]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_step():
    tops = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in MODULES}
    assert tops == set(STEPS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_runs_back_up_the_flow(path):
    assert backward_imports(module_name(path), path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_docstring_says_what_it_may_import(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "may import" in docstring or "imports no other tipreport module" in docstring, path


def test_an_import_from_a_later_step_is_reported():
    """The check itself can fail: a chart that imports from outputs, or loading that imports a chart."""
    source = "import pandas\ndef f():\n    from tipreport.outputs.site import build_site\n"
    assert backward_imports("tipreport.charts.style", source) == [
        "tipreport.charts.style:3: imports tipreport.outputs.site (step 4 comes after step 3)"]
    assert backward_imports("tipreport.data_in.load", "from tipreport.charts import style\n") == [
        "tipreport.data_in.load:1: imports tipreport.charts.style (step 3 comes after step 1)"]
    assert backward_imports("tipreport.outputs.site", "from tipreport.charts import style\n") == []
