"""Build the static reading site (``make site``) from the committed notebooks and the data.

Notebook pages are rendered by nbconvert's ``HTMLExporter`` with a template of ours derived
from ``basic`` (``templates/notebook/``); every other page, the stylesheet and the step
charts are Jinja files in ``templates/site/``. The notebooks are shown as committed, never
re-executed, so the site shows exactly the outputs nbval checks. Layout::

    index.html            question, headline findings, notebooks in order, caveats, citation
    NN_name.html          one page per notebook: text, folded code, outputs, saved figures
    figures.html          every figure with its alt text and SVG/PDF/PNG/CSV links
    data.html             every table of the data package, its columns and the codebook
    countries/index.html  every country and territory ever ranked, filterable by region and tier
    countries/ISO.html    one country's record: step chart, every report year with its source
    assets/               stylesheets and the index's optional filter script (no CDN)
    figures/, data/, ...  copies of the files the pages link to

The build refuses notebooks whose outputs are missing or stale (a code cell without an
execution count, counts not 1..n, an error output, an image that is not a saved figure, a
saved figure whose sidecar is missing, names another notebook or differs from the output),
a sidecar naming a file outside ``figures/``, data that does not validate, and any link or
anchor that does not resolve inside the site (one check, over the finished pages). It writes
into a temporary folder that replaces the old site only when complete, and is deterministic.

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""

from __future__ import annotations

import ast
import csv
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
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from pygments.formatters import HtmlFormatter

from tipreport.charts.style import TIER_COLORS
from tipreport.data_in.load import load_all
from tipreport.data_in.validate import DataValidationError
from tipreport.fileops import replace_folder, signals_held
from tipreport.outputs.country_pages import country_pages
from tipreport.paths import NOTEBOOK_GLOB, REPO_ROOT

TEMPLATES = REPO_ROOT / "templates"
FIGURE_FORMATS = ("svg", "pdf", "png", "csv")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
# Folders whose files a page may link to; a linked file there is copied into the site.
COPYABLE_DIRS = ("data", "figures", "curation")
COPYABLE_FILES = ("LICENSE", "CITATION.cff")
STATIC_ASSETS = ("style.css", "filter.js")


class SiteBuildError(Exception):
    """The site cannot be built from the repository as it is; the message says where and why."""


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


def unique_id(base: str, used: set[str]) -> str:
    candidate, number = base or "section", 0
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    used.add(candidate)
    return candidate


class Linker:
    """Turns repository-relative links into site-relative ones; the site check judges the result."""

    PAGES = {"README.md": "index.html", "data/README.md": "data.html", "figures/README.md": "figures.html",
             "": "index.html", "notebooks": "index.html#notebooks", "data": "data.html",
             "data/article": "data.html#article-text", "figures": "figures.html"}

    def __init__(self, repo: Path, notebook_pages: dict[str, str]):
        self.repo = repo
        self.pages = dict(self.PAGES)
        self.pages.update({f"notebooks/{name}": page for name, page in notebook_pages.items()})
        self.copies: set[str] = set()

    def resolve(self, target: str, source: str) -> str:
        """Site-relative URL for ``target`` as written in repository file ``source``.

        A target that is neither a page nor a copyable file is returned unchanged, so the
        site check reports it with the page it is on.
        """
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not target or target.startswith("#"):
            return target
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parts.path)))
        key = "" if resolved == "." else resolved.rstrip("/")
        if key in self.pages:
            page = self.pages[key]
            return page.split("#")[0] + fragment if fragment else page
        top = PurePosixPath(key).parts[0] if key else ""
        if not key.startswith("..") and (top in COPYABLE_DIRS or key in COPYABLE_FILES) and (self.repo / key).is_file():
            self.copies.add(key)
            return key + fragment
        return target


class Markdown:
    """Markdown to HTML (markdown-it, CommonMark + tables) with GitHub heading ids and site links."""

    def __init__(self, linker: Linker):
        self.md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
        self.linker = linker

    def render(self, text: str, source: str, used_ids: set[str]) -> str:
        tokens = self.md.parse(text)
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                inline = tokens[index + 1]
                words = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
                token.attrSet("id", unique_id(slugify(words), used_ids))
            for child in token.children or []:
                if child.type == "link_open":
                    child.attrSet("href", self.linker.resolve(str(child.attrGet("href")), source))
                elif child.type == "image":
                    child.attrSet("src", self.linker.resolve(str(child.attrGet("src")), source))
        return self.md.renderer.render(tokens, self.md.options, {})


def markdown_section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a markdown document (empty if absent)."""
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


# --------------------------------------------------------------------------- figures and notebooks


def read_figures(figures_dir: Path) -> dict[str, Figure]:
    """Every figure's sidecar, refusing one that names a file outside figures/ or a missing file."""
    figures = {}
    for sidecar in sorted(figures_dir.glob("*.json")):
        where = f"figures/{sidecar.name}"
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        figure = Figure(**{key: record[key] for key in
                           ("name", "title", "subtitle", "alt_text", "source", "notebook", "files")})
        if not SAFE_NAME.fullmatch(figure.name) or figure.name != sidecar.stem:
            raise SiteBuildError(f"{where}: name {figure.name!r} is not this sidecar's file name {sidecar.stem!r}")
        allowed = {f"{figure.name}.{ext}" for ext in FIGURE_FORMATS}
        for file in figure.files:
            if file not in allowed:
                raise SiteBuildError(f"{where}: lists {file!r}, not a file of this figure in figures/ "
                                     f"(expected {figure.name}.svg/.pdf/.png/.csv); nothing was copied")
            if not (figures_dir / file).is_file():
                raise SiteBuildError(f"{where}: lists {file} but figures/{file} is missing; run `make reproduce`")
        if f"{figure.name}.svg" not in figure.files:
            raise SiteBuildError(f"{where}: has no SVG, which the pages show")
        if not figure.alt_text.strip():
            raise SiteBuildError(f"{where}: empty alt text")
        figures[figure.name] = figure
    return figures


def cell_label(notebook: str, index: int, cell) -> str:
    count = cell.get("execution_count")
    return f"notebooks/{notebook}, cell {index + 1}" + (f" (In [{count}])" if count else "")


def saved_record(cell) -> dict | None:
    """The sidecar record a cell's ``save_figure(...)`` returned as its result, if any."""
    for output in cell.get("outputs", []):
        if output.output_type == "execute_result" and "text/plain" in output.get("data", {}):
            try:
                value = ast.literal_eval(output.data["text/plain"])
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, dict) and {"name", "notebook", "files"} <= set(value):
                return value
    return None


def shows_image(cell) -> bool:
    return any(kind in output.get("data", {}) for output in cell.get("outputs", []) for kind in IMAGE_TYPES)


def read_notebook(path: Path, number: int, figures: dict[str, Figure]) -> NotebookInfo:
    """Read one executed notebook, refusing missing or stale outputs and figures."""
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
        record = saved_record(cell)
        named = [figure for figure in figures if f'"{figure}"' in cell.source or f"'{figure}'" in cell.source]
        if record is not None and record["name"] not in named:
            named.append(record["name"])
        images = sum(1 for output in cell.get("outputs", []) if shows_image({"outputs": [output]}))
        if images > len(named):
            raise SiteBuildError(f"{where}: shows an image that is not a saved figure (no sidecar in figures/ "
                                 f"names it); save it with save_figure(...) so the site can show it with its alt text")
        for figure_name in named:
            if figure_name not in figures:
                raise SiteBuildError(f"{where}: saves figure {figure_name!r} but figures/{figure_name}.json "
                                     f"is missing; run `make reproduce`")
            sidecar = figures[figure_name]
            if sidecar.notebook != name:
                raise SiteBuildError(f"{where}: saves figure {figure_name!r} but {figure_name}.json says it was made "
                                     f"by {sidecar.notebook!r}; the figure is stale, run `make reproduce`")
        if record is not None:
            differs = [key for key in ("title", "alt_text", "files") if record.get(key) != getattr(figures[record["name"]], key)]
            if differs:
                raise SiteBuildError(f"{where}: figure {record['name']!r}: the notebook's output and "
                                     f"{record['name']}.json differ ({', '.join(differs)}); the figure is stale, "
                                     f"run `make reproduce`")
        if named:
            figures_by_cell[index] = named
    heading, question = notebook_heading(node, name)
    info = NotebookInfo(path=path, filename=name, page=path.stem + ".html", number=number, heading=heading,
                        question=question, node=node, figures_by_cell=figures_by_cell)
    info.figures = [figures[n] for names in figures_by_cell.values() for n in names]
    for figure in info.figures:
        figure.page, figure.notebook_heading = info.page, heading
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


class SavedFigures(Preprocessor):
    """Shows each saved figure as its SVG with alt text and files, in place of the inline image.

    A cell's figures are the sidecars (figures/*.json) whose name the cell quotes or returns.
    """

    def __init__(self, render_figure, **kwargs):
        super().__init__(**kwargs)
        self.render_figure = render_figure
        self.figures_by_cell: dict[int, list[str]] = {}

    def preprocess_cell(self, cell, resources, index):
        pending = list(self.figures_by_cell.get(index, []))
        if not pending:
            return cell, resources
        outputs = []
        for output in cell.outputs:
            if output.output_type == "execute_result" and saved_record({"outputs": [output]}) is not None:
                continue  # the sidecar record save_figure returned: the figure's caption shows it
            if shows_image({"outputs": [output]}):
                output = nbformat.v4.new_output("display_data", data={"text/html": self.render_figure(pending.pop(0))})
            outputs.append(output)
        outputs += [nbformat.v4.new_output("display_data", data={"text/html": self.render_figure(name)})
                    for name in pending]
        cell.outputs = outputs
        return cell, resources


class SiteExporter(HTMLExporter):
    """nbconvert's HTML exporter with our template, our markdown (GitHub ids, site links) and figures."""

    def __init__(self, markdown: Markdown, render_figure):
        super().__init__(template_name="notebook", extra_template_basedirs=[str(TEMPLATES)],
                         exclude_input_prompt=True, exclude_output_prompt=True)
        self.markdown = markdown
        self.figures = SavedFigures(render_figure=render_figure)
        self.register_preprocessor(self.figures, enabled=True)
        self.source, self.used_ids = "", set()

    @pass_context
    def markdown2html(self, context, source):
        return self.markdown.render(source, self.source, self.used_ids)

    def page(self, nb: NotebookInfo) -> str:
        """The HTML of one notebook's cells."""
        self.source = f"notebooks/{nb.filename}"
        self.used_ids = {name for names in nb.figures_by_cell.values() for name in names}
        self.figures.figures_by_cell = nb.figures_by_cell
        body, _ = self.from_notebook_node(nb.node)
        return body


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
        fields = []
        for spec in resource["schema"]["fields"]:
            constraints = spec.get("constraints", {})
            fields.append({"name": spec["name"], "type": spec.get("type", "string"),
                           "required": constraints.get("required", False), "description": spec.get("description", ""),
                           "allowed": ", ".join(str(value) for value in constraints.get("enum", []))})
        key = resource["schema"].get("primaryKey")
        slug = slugify(resource["path"])
        codebook = next((anchor for anchor in sorted(codebook_ids) if anchor.startswith(slug)),
                        next((anchor for anchor in sorted(codebook_ids)
                              if anchor.startswith("codebook") and slug in anchor), ""))
        names = [f["name"] for f in fields]
        resources.append({"name": resource["name"], "path": resource["path"],
                          "description": resource.get("description", ""), "rows": f"{count_rows(path):,}",
                          "coverage": year_coverage(path, "report_year") if "report_year" in names else "—",
                          "primary_key": ", ".join(key) if isinstance(key, list) else (key or ""),
                          "fields": fields, "codebook": codebook})
    return package, resources


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


# --------------------------------------------------------------------------- the one link check


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str | None]] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.refs.append((tag, name, attributes[name]))
        if tag == "img":
            self.images.append(attributes)
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1


def check_site(root: Path) -> None:
    """Every relative link and anchor resolves in the site; nothing loads from the network; alt texts."""
    pages = {path.relative_to(root).as_posix(): path for path in sorted(root.rglob("*.html"))}
    parsed = {}
    for name, path in pages.items():
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8"))
        parsed[name] = collector
    problems = []
    for name, collector in parsed.items():
        if collector.inline_scripts:
            problems.append(f"{name}: has an inline <script>; scripts are files of assets/")
        for image in collector.images:
            if not (image.get("alt") or "").strip():
                problems.append(f"{name}: <img src={image.get('src')!r}> has no alt text")
        for tag, attribute, value in collector.refs:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") or value.startswith("//"):
                if tag != "a":
                    problems.append(f"{name}: <{tag} {attribute}={value!r}> loads from the network")
                continue
            if parts.scheme:
                if parts.scheme != "data" and parts.scheme != "mailto":
                    problems.append(f"{name}: {attribute}={value!r}: scheme {parts.scheme!r} is not allowed")
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


def site_environment(site_title: str) -> Environment:
    """The Jinja environment of the site's templates (autoescaping, strict), with the site's title."""
    env = Environment(loader=FileSystemLoader(TEMPLATES / "site"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.update(site_title=site_title, root="")
    return env


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
    try:
        tables = load_all(data_dir)
    except DataValidationError as error:
        raise SiteBuildError(f"data/ does not validate, so no page is built:\n{error}") from error

    figures = read_figures(figures_dir)
    notebooks = [read_notebook(path, number, figures) for number, path in enumerate(notebook_paths, 1)]
    shown = {figure.name for nb in notebooks for figure in nb.figures}
    orphans = sorted(set(figures) - shown)
    if orphans:
        raise SiteBuildError(f"figures/ holds figures no notebook shows: {', '.join(orphans)} "
                             f"(sidecars name {', '.join(sorted({figures[n].notebook for n in orphans}))}); "
                             f"the figures are stale, run `make reproduce`")

    linker = Linker(repo, {nb.filename: nb.page for nb in notebooks})
    markdown = Markdown(linker)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    site_title = re.search(r"^#\s+(.+)$", readme, re.MULTILINE).group(1).strip()
    env = site_environment(site_title)
    pages: dict[str, str] = {}

    pages["index.html"] = env.get_template("home.html.j2").render(
        title="Home", notebooks=notebooks, citation=read_citation(repo), country_count=len(tables["countries"]),
        question=Markup(markdown.render(markdown_section(readme, "The question"), "README.md", set())),
        caveats=Markup(markdown.render(markdown_section(readme, "Caveats (read before citing)"), "README.md", set())))

    figure_template = env.get_template("figure.html.j2")
    exporter = SiteExporter(markdown, lambda name: figure_template.render(figure=figures[name]))
    for position, nb in enumerate(notebooks):
        body = exporter.page(nb)
        pages[nb.page] = env.get_template("notebook.html.j2").render(
            title=nb.heading, nb=nb, count=len(notebooks), body=Markup(body),
            previous=notebooks[position - 1] if position else None,
            next=notebooks[position + 1] if position + 1 < len(notebooks) else None)

    pages["figures.html"] = env.get_template("figures.html.j2").render(
        title="Figures", figures=[figure for nb in notebooks for figure in nb.figures])
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    codebook_ids = {"codebook", "article-text"} | {f"table-{r['name']}" for r in package["resources"]}
    codebook = markdown.render((data_dir / "README.md").read_text(encoding="utf-8"), "data/README.md", codebook_ids)
    package, resources = read_resources(data_dir, codebook_ids)
    article_files = sorted(f"data/article/{p.name}" for p in (data_dir / "article").glob("*") if p.is_file())
    pages["data.html"] = env.get_template("data.html.j2").render(
        title="Data", package=package, resources=resources, article_files=article_files, codebook=Markup(codebook))
    try:
        pages.update(country_pages(tables, env))
    except ValueError as error:
        raise SiteBuildError(str(error)) from error

    copies = set(linker.copies) | set(COPYABLE_FILES) | set(article_files)
    copies |= {f"figures/{file}" for figure in figures.values() for file in figure.files}
    copies |= {f"figures/{name}.json" for name in figures}
    copies |= {f"data/{r['path']}" for r in resources} | {"data/datapackage.json", "data/LICENSE.md"}
    missing = sorted(path for path in copies if not (repo / path).is_file())
    if missing:
        raise SiteBuildError("files the site links to are missing: " + ", ".join(missing))
    assets = {f"assets/{name}": (TEMPLATES / "site" / name).read_text(encoding="utf-8") for name in STATIC_ASSETS}
    assets["assets/tiers.css"] = env.get_template("tiers.css.j2").render(colors=TIER_COLORS)
    assets["assets/pygments.css"] = HtmlFormatter().get_style_defs(".highlight") + "\n"

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for name, text in sorted((pages | assets).items()):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        for relative in sorted(copies):
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / relative, staging / relative)
        check_site(staging)
        staging.chmod(0o755)
        with signals_held():
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
    pages = len(list(out.rglob("*.html")))
    shown = out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out
    print(f"built {pages} pages into {shown}/ in {time.perf_counter() - start:.1f} s; "
          f"open {shown}/index.html in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
