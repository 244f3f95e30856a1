"""Sphinx extension: site-wide fixes to the HTML Jupyter Book writes.

- Offline: sphinx-thebe (pulled in by Jupyter Book) registers a config script once per read pass, so a
  rebuild declares `THEBE_JS_URL` twice and the page throws; thebe itself loads from a CDN that an offline
  reader cannot reach. The book has no live-code buttons, so its scripts are dropped.
- Accessibility: docutils marks the bibliography's citation list `role="list"` although its children are
  not list items (axe: aria-required-children, critical). The role is removed; the entries keep their own.
  myst-nb's code toggles carry an aria-label that differs from their visible text; it is removed.
- Figures are numbered per chapter ("Figure 3.2"; the appendices "A.1", "B.1"): Sphinx numbers each page
  from 1 when the table of contents is not numbered, so the chapter's number is put in front.
- Glued numbers print a true minus sign (U+2212), not a hyphen; a glued fact-check verdict is a badge.
- The footer carries the licences and the date the data were retrieved (from `data/datapackage.json`).
- The single-page build (for the PDF) renders myst-nb's nodes as the html build does.
- `{list-of-figures}` becomes a table of every figure in the book: number, caption, source.
"""
from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from . import css_trim, paths

# The page's figure prefix; pages not listed number their figures 1, 2, ...
FIGURE_PREFIX = {
    "book/ch1-how-mining-works": 1,
    "book/ch2-china-exodus": 2,
    "book/ch3-kazakhstan": 3,
    "book/ch4-what-moves-the-price": 4,
    "book/ch5-after-the-blackout": 5,
    "book/appendix-fact-check": "A",
    "book/appendix-data": "B",
}
NUMBER_START = re.compile(r"(?<![\w.\u2212-])-(?=[\d.])")
APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s)")
SOURCE = re.compile(r'<p class="minebook-source">(.*?)</p>', re.S)


def _is_thebe(script) -> bool:
    name = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return "thebe" in name or body.startswith("const THEBE_JS_URL")


# Pygments wraps every name, punctuation mark and space of the code in its own <span>; in the theme's
# colours those three are the colour of plain code text anyway. Unwrapped, a chapter's page has about 2,500
# fewer elements (of some 5,700), which a phone must parse and lay out before it shows the first line.
PLAIN_TOKEN = re.compile(r'<span class="[npw]">([^<]*)</span>')


def _deferred(script):
    """The script, loaded without holding up the first paint. Sphinx and its extensions put theirs in the
    head as plain <script src>, which a phone must fetch and run before it draws any text; none of them is
    needed before the page is parsed, and `defer` keeps their order."""
    name = getattr(script, "filename", None)
    attributes = getattr(script, "attributes", {})
    if not name or "async" in attributes or "defer" in attributes:
        return script
    return type(script)(name, priority=script.priority, **attributes, defer="defer")


def fix_page(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        # The search page's own scripts (in the theme's template) need Sphinx's before them, undeferred.
        keep = (lambda s: s) if pagename == "search" else _deferred
        context["script_files"] = [keep(s) for s in context["script_files"]
                                   if not _is_thebe(s) and not str(getattr(s, "filename", "")).endswith(COPY_SCRIPTS)]
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"] if "thebe" not in str(getattr(c, "filename", c))]
    if "body" in context:
        body = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        # docutils marks each reference with DPUB-ARIA's doc-biblioentry, deprecated and only valid in a list.
        body = body.replace(' role="doc-biblioentry"', "")
        # myst-nb names its "Show the code" toggles "Toggle hidden content", which is not the visible text
        # (axe: label-content-name-mismatch, WCAG 2.5.3); the summary's own text is its name.
        body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        context["body"] = PLAIN_TOKEN.sub(r"\1", body)


def add_downloads(app, pagename, templatename, context, doctree):
    """The page's download menu offers what a class needs: the page's two notebooks (where it has them) and
    the classroom kit (see minebook/classroom.py), before the theme's source file and print buttons."""
    from .classroom import KIT
    from .notebooks import pages

    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    stem = pagename.rsplit("/", 1)[-1]
    pathto = context["pathto"]
    items = []
    if stem in {p.stem for p in pages()}:
        items += [
            {"type": "link", "url": pathto(f"notebooks/{stem}.ipynb", 1), "text": "Notebook",
             "tooltip": "Download this page as a notebook, with outputs and solutions", "icon": "fas fa-file",
             "label": "download-reader-notebook-button"},
            {"type": "link", "url": pathto(f"notebooks/{stem}-student.ipynb", 1), "text": "Student notebook",
             "tooltip": "Download the student notebook: no outputs, no solutions", "icon": "fas fa-file",
             "label": "download-student-notebook-button"},
        ]
    items.append({"type": "link", "url": pathto(f"classroom/{KIT}.zip", 1), "text": "Classroom kit (.zip)",
                  "tooltip": "Every notebook, the data and the book's package, for a class", "icon": "fas fa-download",
                  "label": "download-classroom-kit-button"})
    group["buttons"] = items + group["buttons"]


def number_figures_by_chapter(app, env):
    """Sphinx counts figures (and exercises, tables, listings) across the whole book when the table of
    contents is not numbered; each page starts again at 1 here, behind its chapter's number."""
    for docname, by_type in env.toc_fignumbers.items():
        prefix = FIGURE_PREFIX.get(docname)
        for numbers in by_type.values():
            if not numbers or any(len(n) > 1 for n in numbers.values()):
                continue  # nothing to number, or already numbered by page
            for i, target in enumerate(sorted(numbers, key=numbers.get), start=1):
                numbers[target] = (prefix, i) if prefix is not None else (i,)
    return []


# The fact-check scale; a glued verdict is shown as a badge: its word, and a colour that repeats it.
VERDICT_CLASS = {
    "supported": "verdict-supported",
    "partly supported": "verdict-partly",
    "not supported": "verdict-not",
    "cannot be tested with open data": "verdict-untestable",
}


def mark_glued_text(document):
    """`{glue:text}` pastes Python's formatting ("-1.2"); readers should see "−1.2". A glued verdict
    becomes a badge."""
    for inline in document.findall(nodes.inline):
        if "pasted-text" not in inline.get("classes", []) or "minebook-glued" in inline["classes"]:
            continue
        inline["classes"] += ["minebook-glued"]
        # A glued number stands out; a glued sentence or word ("most of", "rose") reads like the prose around it.
        if len(inline.astext()) > 60 or not re.search(r"\d", inline.astext()):
            inline["classes"] += ["glued-prose"]
        verdict = VERDICT_CLASS.get(inline.astext().strip())
        if verdict:
            inline["classes"] += ["verdict", verdict]
        for text in list(inline.findall(nodes.Text)):
            # Sphinx curls the page's own apostrophes; glued text arrives after that, straight.
            fixed = APOSTROPHE.sub("\u2019", NUMBER_START.sub("\u2212", str(text)))
            if fixed != str(text):
                text.parent.replace(text, nodes.Text(fixed))


class GluedText(SphinxTransform):
    default_priority = 900

    def apply(self):
        mark_glued_text(self.document)


class GluedFromOtherPages(SphinxPostTransform):
    """Text glued from another page (`page::key`) arrives in myst-nb's post-transform (priority 5)."""
    default_priority = 50

    def apply(self, **kwargs):
        mark_glued_text(self.document)


def footer_text(data_page: str = "appendix-data.html") -> str:
    package = json.loads((paths.ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    accessed = max(r["accessed"] for r in package["resources"] if r.get("accessed"))
    return (
        '<p class="minebook-footer">Code: MIT. Text: CC BY 4.0. Data: each source\'s own terms, listed in '
        f'<a href="{data_page}">Data and methods</a>; several are non-commercial. '
        f"Data retrieved on {accessed}.</p>"
    )


def set_footer(app, config):
    config.html_theme_options = {**config.html_theme_options, "extra_footer": footer_text()}


def link_footer(app, pagename, templatename, context, doctree):
    """The footer's link, from wherever the page is (the search page and the 404 page are not in book/).
    Runs after sphinx-notfound-page, whose `pathto` makes the 404 page's links start from the site root."""
    if "theme_extra_footer" in context and "pathto" in context:
        context["theme_extra_footer"] = footer_text(context["pathto"]("book/appendix-data"))


PDF_NAME = "hashrate-on-the-move.pdf"  # the PDF edition, copied beside the site's index.html by `make pdf`


NOT_FOUND = """<h1>Page not found</h1>
<p>There is no page at this address: it may have moved when the book was reorganised, or the link may be
mistyped.</p>
<ul>
<li><a href="{prefix}book/intro.html">Start at the beginning</a>, with what the book found.</li>
<li><a href="{prefix}book/answers.html">The answers</a> to the questions the news raised.</li>
<li><a href="{prefix}search.html">Search the book</a>.</li>
</ul>"""


def write_sitemap(app, exception):
    """sitemap.xml, listing every page of the book, and robots.txt pointing crawlers to it.

    Written here rather than by sphinx-sitemap, which lists only the pages written by the last build: after
    an incremental build its sitemap misses every unchanged page (jdillard/sphinx-sitemap#13, open)."""
    if exception is not None or app.builder.name != "html":
        return
    base = app.config.html_baseurl
    urls = sorted(base + app.builder.get_target_uri(doc) for doc in app.env.found_docs)
    entries = "".join(f"<url><loc>{html.escape(url)}</loc></url>" for url in urls)
    (Path(app.outdir) / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n', encoding="utf-8")
    (Path(app.outdir) / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n",
                                                encoding="utf-8")


def set_addresses(app, config):
    """The repository and the site are named once, in _config.yml; pages write {{ repository_url }} etc."""
    from . import classroom

    # A fork's publishing workflow names its own addresses through these two variables.
    repository = os.environ.get("BOOK_REPOSITORY_URL") or config.html_theme_options.get("repository_url", "")
    site = os.environ.get("BOOK_SITE_URL") or config.html_baseurl
    if site and not site.endswith("/"):
        site += "/"
    if not repository.startswith("https://") or not site.startswith(("https://", "http://")):
        raise ValueError("the book's addresses must be https:// URLs: set repository.url and html.baseurl in "
                         "_config.yml (or BOOK_REPOSITORY_URL and BOOK_SITE_URL)")
    config.html_theme_options = {**config.html_theme_options, "repository_url": repository}
    config.html_baseurl = config.ogp_site_url = site
    config.ogp_site_name = config.html_title
    # The 404 page is served at any depth of the site, so its links start from the site's own path.
    config.notfound_urls_prefix = prefix = urlsplit(site).path
    config.notfound_context = {"title": "Page not found", "body": NOT_FOUND.format(prefix=prefix)}
    addresses = {
        "repository": repository,
        "site": site,
        "pdf": site + PDF_NAME,
        "zip": repository.rstrip("/") + "/archive/refs/heads/main.zip",
        "kit": site + f"classroom/{classroom.KIT}.zip",
        "wheel": site + f"classroom/{classroom.wheel_name()}",
    }
    # {{ repository_url }} is the bare address (for prose and commands), {{ repository_link }} a Markdown link.
    config.myst_substitutions = {
        **config.myst_substitutions,
        **{f"{name}_url": url for name, url in addresses.items()},
        **{f"{name}_link": f"[{url.split('://', 1)[1].rstrip('/')}]({url})" for name, url in addresses.items()},
    }


# The list of figures ---------------------------------------------------------------------------------

class figure_list(nodes.General, nodes.Element):
    pass


class ListOfFigures(SphinxDirective):
    def run(self):
        return [figure_list()]


def collect_figures(app, doctree):
    env = app.env
    found = []
    for figure in doctree.findall(nodes.figure):
        if not figure["ids"]:
            continue
        caption = next(iter(figure.findall(nodes.caption)), None)
        raw = "".join(r.astext() for r in figure.findall(nodes.raw))
        source = SOURCE.search(raw)
        found.append({"id": figure["ids"][0], "caption": caption.astext() if caption else "",
                      "source": html.unescape(re.sub(r"<[^>]+>", "", source.group(1))) if source else ""})
    if not hasattr(env, "minebook_figures"):
        env.minebook_figures = {}
    env.minebook_figures[env.docname] = found


def purge_figures(app, env, docname):
    getattr(env, "minebook_figures", {}).pop(docname, None)


def merge_figures(app, env, docnames, other):
    if not hasattr(env, "minebook_figures"):
        env.minebook_figures = {}
    env.minebook_figures.update({d: f for d, f in getattr(other, "minebook_figures", {}).items() if d in docnames})


def fill_figure_lists(app, doctree, fromdocname):
    env = app.env
    for placeholder in list(doctree.findall(figure_list)):
        table = nodes.table(classes=["minebook-figure-list"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (12, 58, 30):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += _row([nodes.Text("Figure"), nodes.Text("What it shows"), nodes.Text("Source")])
        group += head
        body = nodes.tbody()
        # The book's reading order: the landing page, then its table of contents, then anything else.
        order = [env.config.root_doc, *env.toctree_includes.get(env.config.root_doc, []), *sorted(env.found_docs)]
        for docname in sorted(getattr(env, "minebook_figures", {}), key=order.index):
            for fig in env.minebook_figures[docname]:
                number = env.toc_fignumbers.get(docname, {}).get("figure", {}).get(fig["id"])
                if not number:
                    continue
                label = "Figure " + ".".join(str(n) for n in number)
                link = nodes.reference("", label, internal=True,
                                       refuri=app.builder.get_relative_uri(fromdocname, docname) + "#" + fig["id"])
                body += _row([link, nodes.Text(fig["caption"]), nodes.Text(fig["source"].removeprefix("Source: "))])
        group += body
        placeholder.replace_self(table)


def _row(cells):
    row = nodes.row()
    for content in cells:
        entry = nodes.entry()
        paragraph = nodes.paragraph()
        paragraph += content
        entry += paragraph
        row += entry
    return row


# Citations ------------------------------------------------------------------------------------------

def _round():
    from sphinxcontrib.bibtex.style.referencing import BracketStyle

    return BracketStyle(left="(", right=")", sep="; ")


def register_citation_style() -> None:
    """Author-year citations in round brackets, as a newspaper or a journal prints them:
    (France 24, 2022); Nakamoto (2008). Configured as `bibtex_reference_style: author_year_round`."""
    import sphinxcontrib.bibtex.plugin
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    @dataclass
    class RoundAuthorYear(AuthorYearReferenceStyle):
        bracket_parenthetical: object = field(default_factory=_round)
        bracket_textual: object = field(default_factory=_round)
        bracket_author: object = field(default_factory=_round)
        bracket_label: object = field(default_factory=_round)
        bracket_year: object = field(default_factory=_round)

    sphinxcontrib.bibtex.plugin.register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round",
                                                RoundAuthorYear)


def register_bibliography_style() -> None:
    """pybtex's plain style, sorted by author as a reader expects: an organisation's name is braced in the
    .bib file (so it is not split into first and last names), and the brace would sort it after every person."""
    import pybtex.plugin
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.sorting.author_year_title import SortingStyle

    class ByAuthor(SortingStyle):
        def person_key(self, person):
            return super().person_key(person).replace("{", "").replace("}", "").lower()

    class BookStyle(Plain):
        default_sorting_style = "minebook_by_author"

    pybtex.plugin.register_plugin("pybtex.style.sorting", "minebook_by_author", ByAuthor)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "minebook", BookStyle)


# A returning reader may have a colour mode stored by an earlier version of the site; the site is light.
FORCE_LIGHT = "try{localStorage.setItem('mode','light');document.documentElement.dataset.mode='light';" \
              "document.documentElement.dataset.theme='light';}catch(e){}"


# sphinx-copybutton adds a copy button to every code block as the page opens: on a chapter, most of the
# work a phone's processor does before the page responds (Lighthouse: 275 of 275 ms of blocking time on
# Chapter 3 came with it). Nearly all code is folded away, so its scripts load when a reader opens a code
# cell or points at, taps or tabs into a code block.
COPY_SCRIPTS = ("clipboard.min.js", "copybutton.js")
COPY_BUTTONS_ON_DEMAND = (
    "(function(){var root=document.documentElement.dataset.content_root||'',started=false;"
    "function load(){if(started)return;started=true;var clip=document.createElement('script');"
    "clip.src=root+'_static/clipboard.min.js';clip.onload=function(){var copy=document.createElement('script');"
    "copy.src=root+'_static/copybutton.js';document.head.appendChild(copy);};document.head.appendChild(clip);}"
    "document.addEventListener('toggle',function(e){if(e.target.tagName==='DETAILS'&&e.target.open)load();},true);"
    "['pointerover','pointerdown','focusin'].forEach(function(type){document.addEventListener(type,function(e){"
    "if(e.target.closest&&e.target.closest('div.highlight'))load();},{passive:true});});})();"
)

# The theme has two menu buttons for each sidebar (one in the header, hidden on this layout, and one above
# the article) but wires up only the first it finds, so on a phone the visible "menu" button did nothing.
# The visible buttons now do what the first one does: open the sidebar as a dialog.
SIDEBAR_BUTTONS = (
    "document.addEventListener('DOMContentLoaded',function(){['primary','secondary'].forEach(function(side){"
    "var all=document.querySelectorAll('.'+side+'-toggle');"
    "for(var i=1;i<all.length;i++){all[i].addEventListener('click',function(e){"
    "e.preventDefault();e.stopPropagation();all[0].click();});}});});"
)


def share_html_handlers(app):
    """`make pdf` prints the single-page build. Sphinx looks up node handlers by builder name before format,
    and some extension registers handlers for `singlehtml`, so myst-nb's (registered for `html`, such as the
    "Show the code" toggle) would be missing there: the single-page builder gets the html ones it lacks."""
    handlers = app.registry.translation_handlers
    if app.builder.name != "html" and app.builder.format == "html" and app.builder.name in handlers:
        for node, functions in handlers.get("html", {}).items():
            handlers[app.builder.name].setdefault(node, functions)


def rerun_after_code_or_data_changes(app, env, added, changed, removed):
    """`make book` empties the notebook cache when the data or the package change (minebook.cache), but
    Sphinx re-reads only the pages whose source changed: the others would keep outputs computed from the
    old data. So every page is read, and its notebook run, again when the fingerprint moved."""
    from . import cache

    current = cache.fingerprint()
    if getattr(env, "minebook_fingerprint", None) == current:
        return []
    env.minebook_fingerprint = current
    return sorted(env.found_docs - set(added) - set(changed))


def setup(app):
    app.connect("builder-inited", share_html_handlers)
    app.connect("env-get-outdated", rerun_after_code_or_data_changes)
    register_citation_style()
    register_bibliography_style()
    app.add_js_file(None, body=FORCE_LIGHT, priority=100)
    app.add_js_file(None, body=SIDEBAR_BUTTONS)
    app.add_js_file(None, body=COPY_BUTTONS_ON_DEMAND)
    app.connect("html-page-context", fix_page)
    app.connect("html-page-context", add_downloads, priority=502)  # after sphinx-book-theme makes the menu
    app.connect("html-page-context", link_footer, priority=900)
    app.connect("config-inited", set_footer)
    app.connect("config-inited", set_addresses, priority=100)  # before other extensions read the addresses
    app.connect("build-finished", write_sitemap)
    app.connect("build-finished", css_trim.trim_after_build)
    app.connect("env-get-updated", number_figures_by_chapter, priority=900)
    app.add_transform(GluedText)
    app.add_post_transform(GluedFromOtherPages)
    app.add_node(figure_list)
    app.add_directive("list-of-figures", ListOfFigures)
    app.connect("doctree-read", collect_figures)
    app.connect("env-purge-doc", purge_figures)
    app.connect("env-merge-info", merge_figures)
    app.connect("doctree-resolved", fill_figure_lists)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
