"""Build a static reading site from the committed, executed notebooks (``make site``).

The notebooks are rendered as they are committed, never re-executed, so the site shows
exactly the outputs nbval checks. Only packages already pinned in requirements.txt are
used: nbformat, markdown-it-py, Pygments, Jinja2 and PyYAML.

The site is a folder of plain HTML with relative links only (no scripts, no CDN, no
network), so it opens from ``file://`` by double-clicking ``index.html`` or from any
static host. Layout::

    index.html            question, headline findings, notebooks in order, caveats, citation
    NN_name.html          one page per notebook: text, folded code, outputs, saved figures
    figures.html          every figure with its alt text and SVG/PDF/PNG/CSV links
    data.html             every table of the data package, its columns and the codebook
    assets/style.css      the one stylesheet (Pygments colours included)
    figures/, data/, ...  copies of the files the pages link to

The build refuses notebooks whose outputs are missing or stale (a code cell without an
execution count, counts not 1..n in order, an error output, a figure that is missing or
whose sidecar names another notebook), refuses any link it cannot resolve inside the
site, and writes into a temporary folder that replaces the old site only when complete.
It is deterministic: building twice gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import json
import posixpath
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import nbformat
import yaml
from jinja2 import DictLoader, Environment, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from tipreport.fileops import replace_folder
from tipreport.paths import NOTEBOOK_GLOB, REPO_ROOT

FIGURE_FORMATS = ("svg", "pdf", "png", "csv")
SAVE_FIGURE_CALL = re.compile(r"\bsave_figure\(")
SAVE_FIGURE_NAME = re.compile(r"\bsave_figure\(\s*[A-Za-z_][\w.]*\s*,\s*(?:\"([^\"]+)\"|'([^']+)')")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Folders whose files a page may link to; a linked file there is copied into the site.
COPYABLE_DIRS = ("data", "figures", "curation")
COPYABLE_FILES = ("LICENSE", "CITATION.cff")


class SiteBuildError(Exception):
    """The site cannot be built from the repository as it is; the message says where and why."""


# --------------------------------------------------------------------------- templates

BASE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ site_title }}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/style.css">
</head>
<body>
<header class="site-header">
<a class="site-name" href="index.html">{{ site_title }}</a>
<nav aria-label="Site">
<a href="index.html#notebooks">Notebooks</a>
<a href="figures.html">Figures</a>
<a href="data.html">Data</a>
<a href="index.html#cite">Cite</a>
</nav>
</header>
<main>
{% block main %}{% endblock %}
</main>
<footer class="site-footer">
<p>Built from the committed notebooks without re-executing them. Code: <a href="LICENSE">MIT</a>.
Curated data: <a href="data/LICENSE.md">CC BY 4.0</a>. Article text © CamboJA News; the TIP Report
is a work of the U.S. Department of State.</p>
</footer>
</body>
</html>
"""

INDEX = """{% extends "base.html" %}{% block main %}
<h1>{{ site_title }}</h1>
<section id="question">
<h2>The question</h2>
{{ question }}
</section>
<section id="findings">
<h2>Headline findings</h2>
<p>Each finding is the title of a figure, computed in the notebook it links to.</p>
{% for nb in notebooks if nb.figures %}
<h3><a href="{{ nb.page }}">{{ nb.heading }}</a></h3>
<ul>
{% for fig in nb.figures %}<li><a href="{{ nb.page }}#{{ fig.name }}">{{ fig.title }}</a></li>
{% endfor %}</ul>
{% endfor %}
</section>
<section id="notebooks">
<h2>The notebooks, in order</h2>
<ol class="notebook-list">
{% for nb in notebooks %}<li><a href="{{ nb.page }}">{{ nb.heading }}</a>{% if nb.question %}<br><span class="muted">{{ nb.question }}</span>{% endif %}</li>
{% endfor %}</ol>
<p>Also: <a href="figures.html">every figure</a> with its data, and <a href="data.html">the data package</a>
with its codebook.</p>
</section>
<section id="caveats">
<h2>Caveats (read before citing)</h2>
{{ caveats }}
</section>
<section id="cite">
<h2>How to cite</h2>
<p>{{ citation.message }}</p>
<blockquote class="citation">{{ citation.text }}</blockquote>
<p>Machine-readable: <a href="CITATION.cff">CITATION.cff</a>.</p>
<h3 id="licences">Licences</h3>
<ul>
<li>Code: MIT (<a href="LICENSE">LICENSE</a>).</li>
<li>Curated data: CC BY 4.0 (<a href="data/LICENSE.md">data/LICENSE.md</a>).</li>
<li>The article text in <a href="data.html#article-text">data/article/</a> is © CamboJA News, kept for verification;
the Trafficking in Persons Report is a work of the U.S. Department of State.</li>
</ul>
</section>
{% endblock %}"""

NOTEBOOK = """{% extends "base.html" %}{% block main %}
<p class="muted">Notebook {{ nb.number }} of {{ count }} · <code>notebooks/{{ nb.filename }}</code> ·
rendered from its committed outputs</p>
<article class="notebook">
{% for cell in cells %}{{ cell }}
{% endfor %}</article>
<nav class="pager" aria-label="Notebooks">
{% if previous %}<a href="{{ previous.page }}">← {{ previous.heading }}</a>{% else %}<span></span>{% endif %}
{% if next %}<a href="{{ next.page }}">{{ next.heading }} →</a>{% endif %}
</nav>
{% endblock %}"""

FIGURES = """{% extends "base.html" %}{% block main %}
<h1>Figures</h1>
<p>Every figure of the collection, as SVG, PDF and 300-dpi PNG, with the data behind it as CSV.
The alt text under each figure is the one embedded in the pages.</p>
{% for fig in figures %}
<section class="gallery-item" id="{{ fig.name }}">
<h2>{{ fig.title }}</h2>
<figure>
<img src="figures/{{ fig.name }}.svg" alt="{{ fig.alt_text }}">
<figcaption><em>{{ fig.subtitle }}.</em> {{ fig.source }}.</figcaption>
</figure>
<p class="alt-text"><strong>Alt text:</strong> {{ fig.alt_text }}</p>
<p>Made by <a href="{{ fig.page }}#{{ fig.name }}">{{ fig.notebook_heading }}</a> ·
Files: {% for file in fig.files %}<a href="figures/{{ file }}">{{ file.rsplit('.', 1)[1] | upper }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>
</section>
{% endfor %}
{% endblock %}"""

DATA = """{% extends "base.html" %}{% block main %}
<h1>The data</h1>
<p>{{ package.description }}</p>
<p>All tables are UTF-8 CSV described by a Frictionless Data Package:
<a href="data/datapackage.json">datapackage.json</a> (every schema, type and allowed value).
Licence: <a href="data/LICENSE.md">CC BY 4.0</a> for the curation; quoted texts remain their publishers'.</p>
<table class="summary">
<thead><tr><th>table</th><th>rows</th><th>coverage</th><th>what it holds</th><th>download</th></tr></thead>
<tbody>
{% for res in resources %}<tr><td><a href="#table-{{ res.name }}">{{ res.name }}</a></td><td class="num">{{ res.rows }}</td><td>{{ res.coverage }}</td><td>{{ res.description }}</td><td><a href="data/{{ res.path }}">{{ res.path }}</a></td></tr>
{% endfor %}</tbody>
</table>
{% for res in resources %}
<section class="table-doc" id="table-{{ res.name }}">
<h2>Table <code>{{ res.name }}</code></h2>
<p>{{ res.description }}</p>
<p><strong>{{ res.rows }} rows</strong>{% if res.coverage != "—" %} · {{ res.coverage }}{% endif %}
{% if res.primary_key %} · primary key: <code>{{ res.primary_key }}</code>{% endif %}
· download <a href="data/{{ res.path }}">{{ res.path }}</a>{% if res.codebook %} · <a href="#{{ res.codebook }}">codebook section</a>{% endif %}</p>
<div class="scroll"><table class="columns">
<thead><tr><th>column</th><th>type</th><th>required</th><th>description</th><th>allowed values</th></tr></thead>
<tbody>
{% for f in res.fields %}<tr><td><code>{{ f.name }}</code></td><td>{{ f.type }}</td><td>{{ "yes" if f.required else "" }}</td><td>{{ f.description }}</td><td>{{ f.allowed }}</td></tr>
{% endfor %}</tbody>
</table></div>
</section>
{% endfor %}
<section id="article-text">
<h2>The article text</h2>
<p>The seed article's text, one paragraph per line, © CamboJA News, kept so that every quote and
number can be checked: {% for file in article_files %}<a href="{{ file }}">{{ file }}</a>{% if not loop.last %}, {% endif %}{% endfor %}.</p>
</section>
<section id="codebook" class="codebook">
<p class="muted">The codebook below is <code>data/README.md</code>, rendered.</p>
{{ codebook }}
</section>
{% endblock %}"""

STYLE = """/* tipreport reading site: one local stylesheet, no web fonts, no network. */
:root { --ink: #1d1d1f; --muted: #5b5b66; --rule: #d8d8de; --accent: #0b5cad; --code-bg: #f6f6f8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 54rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
a { color: var(--accent); }
h1, h2, h3 { line-height: 1.25; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
.site-header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline;
  padding: .7rem 1.25rem; border-bottom: 1px solid var(--rule); background: #fafafc; }
.site-name { font-weight: 600; color: var(--ink); text-decoration: none; }
.site-header nav a { margin-right: 1rem; }
.site-footer { max-width: 54rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; color: var(--muted);
  font-size: .85rem; border-top: 1px solid var(--rule); }
.muted { color: var(--muted); font-size: .92rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .85em; }
pre { background: var(--code-bg); padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; font-size: .85rem; margin: .8rem 0; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; vertical-align: top; text-align: left; }
td.num, .output-html td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f2f2f5; }
.scroll, .output-html { overflow-x: auto; max-width: 100%; }
.output-html table { border: none; }
figure { margin: 1rem 0; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
details.code { margin: .6rem 0 .2rem; }
details.code > summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
details.code pre { margin: .3rem 0 0; }
.cell-output { margin: .3rem 0 1rem; }
.cell-output pre { background: #fff; border-left: 3px solid var(--rule); border-radius: 0; }
.cell-output pre.stderr { border-left-color: #c77; }
.notebook-list li { margin-bottom: .6rem; }
blockquote.citation { margin: .5rem 0; padding: .6rem 1rem; border-left: 4px solid var(--accent); background: #f4f8fc; }
.gallery-item { border-top: 1px solid var(--rule); margin-top: 2rem; }
.gallery-item h2 { border: none; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 3rem;
  padding-top: 1rem; border-top: 1px solid var(--rule); }
"""


# --------------------------------------------------------------------------- data model


@dataclass
class Figure:
    name: str
    title: str
    subtitle: str
    alt_text: str
    source: str
    notebook: str
    files: list[str]
    page: str = ""
    notebook_heading: str = ""


@dataclass
class NotebookInfo:
    path: Path
    filename: str
    page: str
    number: int
    heading: str
    question: str
    node: nbformat.NotebookNode
    figures: list[Figure] = field(default_factory=list)
    figures_by_cell: dict[int, list[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- markdown with links


def slugify(text: str) -> str:
    """GitHub-style heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


class Linker:
    """Turns repository-relative links into site-relative ones, or fails the build."""

    PAGES = {"README.md": "index.html", "data/README.md": "data.html", "figures/README.md": "figures.html",
             "": "index.html", "notebooks": "index.html#notebooks", "data": "data.html",
             "data/article": "data.html#article-text", "figures": "figures.html"}

    def __init__(self, repo: Path, notebook_pages: dict[str, str]):
        self.repo = repo
        self.pages = dict(self.PAGES)
        self.pages.update({f"notebooks/{name}": page for name, page in notebook_pages.items()})
        self.copies: set[str] = set()

    def resolve(self, target: str, source: str) -> str:
        """Site-relative URL for ``target`` as written in repository file ``source``."""
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not target or target.startswith("#"):
            return target
        path = unquote(parts.path)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        resolved = "" if resolved == "." else resolved
        if resolved.startswith(".."):
            raise SiteBuildError(f"{source}: link {target!r} points outside the repository")
        key = resolved.rstrip("/")
        if key in self.pages:
            page = self.pages[key]
            return page + fragment if "#" not in page or not fragment else page.split("#")[0] + fragment
        file = self.repo / key
        top = PurePosixPath(key).parts[0] if key else ""
        if file.is_file() and (top in COPYABLE_DIRS or key in COPYABLE_FILES):
            self.copies.add(key)
            return key + fragment
        raise SiteBuildError(f"{source}: link {target!r} cannot be resolved to a page or file of the site "
                             f"(resolved to {key or '.'!r}); fix the link or add it to tipreport.site.Linker.PAGES")


def markdown_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_markdown(md: MarkdownIt, text: str, source: str, linker: Linker, used_ids: set[str]) -> str:
    """Markdown to HTML with heading anchors and links rewritten for the site."""
    tokens = md.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            words = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
            token.attrSet("id", unique_id(slugify(words), used_ids))
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("href", linker.resolve(str(child.attrGet("href")), source))
            elif child.type == "image":
                child.attrSet("src", linker.resolve(str(child.attrGet("src")), source))
    return md.renderer.render(tokens, md.options, {})


def unique_id(base: str, used: set[str]) -> str:
    candidate, number = base or "section", 0
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    used.add(candidate)
    return candidate


def markdown_section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a markdown document (empty if absent)."""
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


# --------------------------------------------------------------------------- checks and reading


def cell_label(notebook: str, index: int, cell) -> str:
    count = cell.get("execution_count")
    return f"notebooks/{notebook}, cell {index + 1}" + (f" (In [{count}])" if count else "")


def figure_names_in(source: str, where: str) -> list[str]:
    """Names of the figures a code cell saves, from its ``save_figure(fig, "NAME", ...)`` calls."""
    calls = len(SAVE_FIGURE_CALL.findall(source))
    names = [double or single for double, single in SAVE_FIGURE_NAME.findall(source)]
    if calls != len(names):
        raise SiteBuildError(f"{where}: save_figure(...) must name its figure with a string literal "
                             f"as second argument, so the site can place the saved figure")
    return names


def read_notebook(path: Path, number: int, figures: dict[str, Figure], figures_dir: Path) -> NotebookInfo:
    """Read one executed notebook, refusing missing or stale outputs."""
    name = path.name
    node = nbformat.read(path, as_version=4)
    expected = 0
    figures_by_cell: dict[int, list[str]] = {}
    for index, cell in enumerate(node.cells):
        if cell.cell_type != "code":
            continue
        where = cell_label(name, index, cell)
        expected += 1
        count = cell.get("execution_count")
        if count is None:
            raise SiteBuildError(f"{where}: code cell was not executed (no execution count); "
                                 f"run `make reproduce` so the site shows checked outputs")
        if count != expected:
            raise SiteBuildError(f"{where}: execution count {count}, expected {expected}; the notebook was "
                                 f"run partly or out of order, run `make reproduce`")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                raise SiteBuildError(f"{where}: has an error output ({output.get('ename')}); run `make reproduce`")
        names = figure_names_in(cell.source, where)
        for figure_name in names:
            sidecar = figures_dir / f"{figure_name}.json"
            if figure_name not in figures:
                raise SiteBuildError(f"{where}: saves figure {figure_name!r} but figures/{figure_name}.json "
                                     f"is missing; run `make reproduce`")
            if figures[figure_name].notebook != name:
                raise SiteBuildError(f"{where}: saves figure {figure_name!r} but {sidecar.name} says it was made by "
                                     f"{figures[figure_name].notebook!r}; the figure is stale, run `make reproduce`")
        if names:
            figures_by_cell[index] = names
    heading, question = notebook_heading(node, name)
    page = path.stem + ".html"
    info = NotebookInfo(path=path, filename=name, page=page, number=number, heading=heading,
                        question=question, node=node, figures_by_cell=figures_by_cell)
    info.figures = [figures[n] for names in figures_by_cell.values() for n in names]
    for figure in info.figures:
        figure.page, figure.notebook_heading = page, heading
    return info


def notebook_heading(node, name: str) -> tuple[str, str]:
    """The notebook's first ``#`` heading and its **Question.** paragraph (if any)."""
    heading, question = name, ""
    for cell in node.cells:
        if cell.cell_type != "markdown":
            continue
        match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
        if match and heading == name:
            heading = match.group(1).strip()
        found = re.search(r"\*\*Question\.\*\*\s*(.+?)(?:\n\s*\n|\Z)", cell.source, re.DOTALL)
        if found and not question:
            question = " ".join(found.group(1).split())
        if heading != name:
            break
    return heading, question


def read_figures(figures_dir: Path) -> dict[str, Figure]:
    figures = {}
    for sidecar in sorted(figures_dir.glob("*.json")):
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        figure = Figure(**{key: record[key] for key in
                           ("name", "title", "subtitle", "alt_text", "source", "notebook", "files")})
        if not figure.alt_text.strip():
            raise SiteBuildError(f"figures/{sidecar.name}: empty alt text")
        for file in figure.files:
            if not (figures_dir / file).is_file():
                raise SiteBuildError(f"figures/{sidecar.name}: lists {file} but figures/{file} is missing; "
                                     f"run `make reproduce`")
        figures[figure.name] = figure
    return figures


# --------------------------------------------------------------------------- notebook pages

FORMATTER = HtmlFormatter(cssclass="highlight", nowrap=False)


def render_cell_outputs(cell, figure_names: list[str], figures: dict[str, Figure], where: str,
                        md: MarkdownIt, linker: Linker, used_ids: set[str], source: str) -> str:
    parts: list[str] = []
    pending = list(figure_names)
    for output in cell.get("outputs", []):
        kind = output.output_type
        if kind == "stream":
            css = "stderr" if output.get("name") == "stderr" else "stdout"
            parts.append(f'<pre class="{css}">{html.escape(ANSI.sub("", output.get("text", "")))}</pre>')
            continue
        data = output.get("data", {})
        if "image/png" in data or "image/svg+xml" in data or "image/jpeg" in data:
            if not pending:
                raise SiteBuildError(f"{where}: shows an image that is not a saved figure; save it with "
                                     f"save_figure(...) so the site can show it with its alt text")
            parts.append(figure_html(figures[pending.pop(0)]))
        elif "text/html" in data:
            parts.append(f'<div class="output-html">{text_of(data["text/html"])}</div>')
        elif "text/markdown" in data:
            parts.append(render_markdown(md, text_of(data["text/markdown"]), source, linker, used_ids))
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(ANSI.sub('', text_of(data['text/plain'])))}</pre>")
    parts.extend(figure_html(figures[name]) for name in pending)
    return f'<div class="cell-output">{"".join(parts)}</div>' if parts else ""


def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def figure_html(figure: Figure) -> str:
    links = " · ".join(f'<a href="figures/{file}">{file.rsplit(".", 1)[1].upper()}</a>' for file in figure.files)
    return (f'<figure id="{html.escape(figure.name)}">'
            f'<img src="figures/{html.escape(figure.name)}.svg" alt="{html.escape(figure.alt_text)}">'
            f"<figcaption>{html.escape(figure.title)}. Files: {links} · "
            f'<a href="figures.html#{html.escape(figure.name)}">in the gallery</a></figcaption></figure>')


def render_notebook(info: NotebookInfo, figures: dict[str, Figure], md: MarkdownIt, linker: Linker) -> list[str]:
    used_ids = set(info.figures_by_cell and [n for names in info.figures_by_cell.values() for n in names])
    source = f"notebooks/{info.filename}"
    cells = []
    for index, cell in enumerate(info.node.cells):
        if cell.cell_type == "markdown":
            cells.append(render_markdown(md, cell.source, source, linker, used_ids))
        elif cell.cell_type == "code":
            where = cell_label(info.filename, index, cell)
            code = highlight(cell.source, PythonLexer(), FORMATTER)
            cells.append(f'<details class="code"><summary>Show code · In [{cell.execution_count}]</summary>'
                         f"{code}</details>")
            cells.append(render_cell_outputs(cell, info.figures_by_cell.get(index, []), figures, where,
                                             md, linker, used_ids, source))
    return cells


# --------------------------------------------------------------------------- data page


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def year_coverage(path: Path, column: str) -> str:
    with path.open(newline="", encoding="utf-8") as handle:
        years = sorted({int(row[column]) for row in csv.DictReader(handle) if row.get(column, "").strip()})
    return f"report years {years[0]}–{years[-1]} ({len(years)} editions)" if years else "—"


def read_resources(data_dir: Path, codebook_ids: set[str]) -> tuple[dict, list[dict]]:
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    resources = []
    for resource in package["resources"]:
        path = data_dir / resource["path"]
        if not path.is_file():
            raise SiteBuildError(f"data/datapackage.json: resource {resource['name']!r} lists "
                                 f"{resource['path']} but data/{resource['path']} is missing")
        fields = []
        for spec in resource["schema"]["fields"]:
            constraints = spec.get("constraints", {})
            allowed = ", ".join(str(value) for value in constraints.get("enum", []))
            fields.append({"name": spec["name"], "type": spec.get("type", "string"),
                           "required": constraints.get("required", False),
                           "description": spec.get("description", ""), "allowed": allowed})
        names = [f["name"] for f in fields]
        key = resource["schema"].get("primaryKey")
        slug = slugify(resource["path"])
        codebook = next((anchor for anchor in sorted(codebook_ids) if anchor.startswith(slug)),
                        next((anchor for anchor in sorted(codebook_ids)
                              if anchor.startswith("codebook") and slug in anchor), ""))
        resources.append({"name": resource["name"], "path": resource["path"],
                          "description": resource.get("description", ""), "rows": f"{count_rows(path):,}",
                          "coverage": year_coverage(path, "report_year") if "report_year" in names else "—",
                          "primary_key": ", ".join(key) if isinstance(key, list) else (key or ""),
                          "fields": fields, "codebook": codebook})
    return package, resources


# --------------------------------------------------------------------------- landing page


def read_citation(repo: Path) -> dict:
    path = repo / "CITATION.cff"
    if not path.is_file():
        raise SiteBuildError("CITATION.cff is missing: the landing page says how to cite from it")
    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    authors = "; ".join(author.get("name") or " ".join(filter(None, [author.get("given-names"),
                                                                      author.get("family-names")]))
                        for author in cff.get("authors", []))
    year = str(cff["date-released"])[:4] if cff.get("date-released") else "n.d."
    version = f" Version {cff['version']}." if cff.get("version") else ""
    return {"message": cff.get("message", ""), "text": f"{authors} ({year}). {cff['title']}.{version}"}


# --------------------------------------------------------------------------- checking the output


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.refs.append((tag, name, attributes[name]))
        if tag == "img":
            self.images.append(attributes)


def check_site(root: Path) -> None:
    """Every relative link and asset of every page resolves; no remote assets; every image has alt text."""
    pages = {path.relative_to(root).as_posix(): path for path in sorted(root.rglob("*.html"))}
    parsed = {}
    for name, path in pages.items():
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8"))
        parsed[name] = collector
    problems = []
    for name, collector in parsed.items():
        for image in collector.images:
            if not (image.get("alt") or "").strip():
                problems.append(f"{name}: <img src={image.get('src')!r}> has no alt text")
        for tag, attribute, value in collector.refs:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") or value.startswith("//"):
                if tag != "a":
                    problems.append(f"{name}: <{tag} {attribute}={value!r}> loads from the network")
                continue
            if parts.scheme:  # data:, mailto:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path))) \
                if parts.path else name
            if target.startswith("..") or not (root / target).is_file():
                problems.append(f"{name}: {attribute}={value!r} does not resolve to a file of the site")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in parsed[target].ids:
                problems.append(f"{name}: {attribute}={value!r}: no id {parts.fragment!r} in {target}")
    if problems:
        raise SiteBuildError("the built site has broken references:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------- build


def build_site(repo: Path = REPO_ROOT, out: Path | None = None) -> Path:
    """Build the site for repository ``repo`` into ``out`` (default ``repo/site``); returns ``out``.

    Written to a temporary folder beside ``out`` and swapped in only when complete and checked.
    """
    repo = Path(repo)
    out = Path(out) if out is not None else repo / "site"
    figures_dir, data_dir = repo / "figures", repo / "data"
    notebook_paths = sorted((repo / "notebooks").glob(NOTEBOOK_GLOB))
    if not notebook_paths:
        raise SiteBuildError(f"no notebooks matching notebooks/{NOTEBOOK_GLOB}")

    figures = read_figures(figures_dir)
    notebooks = [read_notebook(path, number, figures, figures_dir) for number, path in enumerate(notebook_paths, 1)]
    saved = {figure.name for nb in notebooks for figure in nb.figures}
    orphans = sorted(set(figures) - saved)
    if orphans:
        raise SiteBuildError(f"figures/ holds figures no notebook saves: {', '.join(orphans)} "
                             f"(sidecars name {', '.join(sorted({figures[n].notebook for n in orphans}))}); "
                             f"the figures are stale, run `make reproduce`")

    md = markdown_renderer()
    linker = Linker(repo, {nb.filename: nb.page for nb in notebooks})
    readme = (repo / "README.md").read_text(encoding="utf-8")
    site_title = re.search(r"^#\s+(.+)$", readme, re.MULTILINE).group(1).strip()
    citation = read_citation(repo)

    env = Environment(loader=DictLoader({"base.html": BASE, "index.html": INDEX, "notebook.html": NOTEBOOK,
                                         "figures.html": FIGURES, "data.html": DATA}),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True)
    pages: dict[str, str] = {}

    pages["index.html"] = env.get_template("index.html").render(
        title="Home", site_title=site_title, notebooks=notebooks, citation=citation,
        question=Markup(render_markdown(md, markdown_section(readme, "The question"), "README.md", linker, set())),
        caveats=Markup(render_markdown(md, markdown_section(readme, "Caveats (read before citing)"),
                                       "README.md", linker, set())))
    for position, nb in enumerate(notebooks):
        cells = render_notebook(nb, figures, md, linker)
        pages[nb.page] = env.get_template("notebook.html").render(
            title=nb.heading, site_title=site_title, nb=nb, count=len(notebooks), cells=[Markup(c) for c in cells],
            previous=notebooks[position - 1] if position else None,
            next=notebooks[position + 1] if position + 1 < len(notebooks) else None)
    gallery = [figure for nb in notebooks for figure in nb.figures]
    pages["figures.html"] = env.get_template("figures.html").render(title="Figures", site_title=site_title,
                                                                     figures=gallery)
    codebook_ids: set[str] = {"codebook", "article-text"} | {f"table-{r['name']}" for r in
                                                             json.loads((data_dir / "datapackage.json").read_text(
                                                                 encoding="utf-8"))["resources"]}
    codebook = render_markdown(md, (data_dir / "README.md").read_text(encoding="utf-8"), "data/README.md",
                               linker, codebook_ids)
    package, resources = read_resources(data_dir, codebook_ids)
    article_files = sorted(f"data/article/{p.name}" for p in (data_dir / "article").glob("*") if p.is_file())
    pages["data.html"] = env.get_template("data.html").render(
        title="Data", site_title=site_title, package=package, resources=resources,
        article_files=article_files, codebook=Markup(codebook))

    copies = set(linker.copies) | set(COPYABLE_FILES) | set(article_files)
    copies |= {f"figures/{file}" for figure in figures.values() for file in figure.files}
    copies |= {f"figures/{name}.json" for name in figures}
    copies |= {f"data/{r['path']}" for r in resources} | {"data/datapackage.json", "data/LICENSE.md"}
    missing = sorted(path for path in copies if not (repo / path).is_file())
    if missing:
        raise SiteBuildError("files the site links to are missing: " + ", ".join(missing))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for name, text in sorted(pages.items()):
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        (staging / "assets").mkdir()
        (staging / "assets" / "style.css").write_text(
            STYLE + "\n/* Pygments */\n" + FORMATTER.get_style_defs(".highlight") + "\n", encoding="utf-8", newline="\n")
        for relative in sorted(copies):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / relative, target)
        check_site(staging)
        staging.chmod(0o755)
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else REPO_ROOT / "site"
    start = time.perf_counter()
    try:
        build_site(REPO_ROOT, out)
    except SiteBuildError as error:
        print(f"error: site not built: {error}", file=sys.stderr)
        return 1
    pages = len(list(out.glob("*.html")))
    shown = out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out
    print(f"built {pages} pages into {shown}/ in {time.perf_counter() - start:.1f} s; "
          f"open {shown}/index.html in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
