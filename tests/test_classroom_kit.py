"""The classroom kit, tried from the outside as a class would: unzipped into a folder with no repository above
it, a fresh virtual environment, `pip install -r requirements.txt` (from the kit's wheelhouse when it has one,
else the package index), then every student notebook run top to bottom; the wheel alone loads every data set;
a notebook given alone says in one sentence what to install."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from builtsite import CHROMIUM, ROOT, SITE, site_address

KIT_ZIP = SITE / "classroom" / "hashrate-classroom.zip"
OFFLINE_ZIP = ROOT / "_build" / "classroom" / "hashrate-classroom-offline.zip"  # from `make classroom-offline`
WHEEL = "minebook-1.0.0-py3-none-any.whl"
PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md") if p.read_text(encoding="utf-8").startswith("---\njupytext:"))
CHAPTERS = [p for p in PAGES if p.startswith("ch")]

needs_kit = pytest.mark.skipif(not KIT_ZIP.exists(), reason="no classroom kit: run `make book` first")


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINEBOOK_")}
    return subprocess.run(cmd, capture_output=True, text=True, env={**env, **kwargs.pop("env", {})}, **kwargs)


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """The kit unzipped where no repository is above it, with its own environment installed as its README says."""
    source = OFFLINE_ZIP if OFFLINE_ZIP.exists() else KIT_ZIP
    if not source.exists():
        pytest.skip("no classroom kit: run `make book` first")
    where = tmp_path_factory.mktemp("classroom")
    assert not any((folder / ".git").exists() or (folder / "pyproject.toml").exists() for folder in (where, *where.parents))
    zipfile.ZipFile(source).extractall(where)
    folder = where / "hashrate-classroom"
    made = run([sys.executable, "-m", "venv", ".venv"], cwd=folder)
    assert made.returncode == 0, made.stderr
    offline = ["--no-index", "--find-links", "wheels"] if (folder / "wheels").is_dir() else []
    # Offline, nothing but the kit's wheelhouse: no index, and no configuration that could add other folders.
    isolated = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"} if offline else {}
    installed = run([".venv/bin/python", "-m", "pip", "install", "--quiet", *offline, "-r", "requirements.txt"],
                    cwd=folder, timeout=900, env=isolated)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return folder


@needs_kit
def test_the_kit_holds_what_a_class_needs():
    with zipfile.ZipFile(KIT_ZIP) as archive:
        names = set(archive.namelist())
        assert {n.split("/")[0] for n in names} == {"hashrate-classroom"}
        files = {n.removeprefix("hashrate-classroom/") for n in names}
        requirements = archive.read("hashrate-classroom/requirements.txt").decode().splitlines()
        readme = archive.read("hashrate-classroom/README.md").decode()
        package = json.loads(archive.read("hashrate-classroom/data/datapackage.json"))
        for res in package["resources"]:
            raw = archive.read(f"hashrate-classroom/data/{res['path']}")
            assert "sha256:" + hashlib.sha256(raw).hexdigest() == res["hash"], res["name"]
            assert raw == (ROOT / "data" / res["path"]).read_bytes(), res["name"]
        with archive.open(f"hashrate-classroom/{WHEEL}") as wheel:
            packaged = set(zipfile.ZipFile(wheel).namelist())
    assert {"README.md", "requirements.txt", WHEEL, "data/datapackage.json"} <= files
    assert {f"student/{p}.ipynb" for p in PAGES} | {f"reader/{p}.ipynb" for p in PAGES} <= files
    assert {f for f in files if f.startswith("teacher/")} >= {f"teacher/{c}-answer-key.ipynb" for c in CHAPTERS}
    assert {f"minebook/snapshots/{res['path']}" for res in package["resources"]} | {"minebook/snapshots/datapackage.json",
                                                                                   "minebook/snapshots/exercise-answers.json"} <= packaged
    # Every requirement pinned, at the version the book itself is tested with.
    book_pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    pins = [line for line in requirements if line and not line.startswith("#")]
    assert pins[-1] == f"./{WHEEL}"
    from minebook.classroom import JUPYTERLAB

    assert JUPYTERLAB in pins   # pinned by the kit: the book's own environment does without it
    for line in pins[:-1]:
        name, version = line.split("==")
        assert line == JUPYTERLAB or book_pins[name] == version, line
    assert {p.split("==")[0].lower() for p in pins[:-1]} >= {"pandas", "numpy", "scipy", "altair", "vl-convert-python", "jupyterlab"}
    # The three steps, and the address a notebook given alone installs from.
    for step in ("python -m venv .venv", "-m pip install -r requirements.txt", "jupyter lab",
                 f"{site_address()}classroom/{WHEEL}"):
        assert step in readme, step
    assert (SITE / "classroom" / WHEEL).is_file()


@needs_kit
def test_the_wheel_alone_loads_every_data_set_and_checks_each(kit, tmp_path):
    """From a folder with no data beside it, with the network out of reach: the data come from the package."""
    script = (
        "import json, minebook.paths as p\n"
        "from minebook.data import load, names\n"
        "print(json.dumps({'dir': str(p.data_dir()), 'rows': {n: len(load(n)) for n in names()}}))\n"
    )
    offline = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}
    got = run([str(kit / ".venv/bin/python"), "-c", script], cwd=tmp_path, env=offline)
    assert got.returncode == 0, got.stderr[-2000:]
    result = json.loads(got.stdout)
    assert result["dir"].endswith("site-packages/minebook/snapshots")
    from minebook.data import load, names

    assert result["rows"] == {n: len(load(n)) for n in names()}
    # A snapshot changed inside the installed package is refused with one line naming the file and the check.
    installed = Path(result["dir"])
    target = installed / "btc_daily.csv"
    original = target.read_bytes()
    try:
        target.write_bytes(original.replace(b"\n2021-", b"\n2020-", 1))
        refused = run([str(kit / ".venv/bin/python"), "-c", "from minebook import load; load('btc_daily')"], cwd=tmp_path)
    finally:
        target.write_bytes(original)
    assert refused.returncode != 0
    assert "SnapshotError: btc_daily.csv does not match the sha256 recorded in datapackage.json" in refused.stderr


@needs_kit
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed: `make pdf` and the answer key's PDF are skipped")
def test_the_teachers_folder_has_the_answer_key_as_a_pdf():
    from pypdf import PdfReader

    from minebook.exercises import EXERCISES

    with zipfile.ZipFile(KIT_ZIP) as archive:
        assert "hashrate-classroom/teacher/answer-key.pdf" in archive.namelist(), "run `make pdf` (make test does)"
        with archive.open("hashrate-classroom/teacher/answer-key.pdf") as pdf:
            text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    for label in EXERCISES:
        assert f"Exercise {label}: all correct." in text, label
    assert "not yet" not in text


def executed_in(kit: Path, notebook: Path, python: Path | None = None, allow_errors: bool = False) -> nbformat.NotebookNode:
    python = python or kit / ".venv/bin/python"
    out = notebook.with_name(notebook.stem + "-ran.ipynb")
    ran = run([str(python), "-m", "nbconvert", "--to", "notebook", "--execute", "--output", out.name,
               "--ExecutePreprocessor.timeout=600", *(["--allow-errors"] if allow_errors else []), notebook.name],
              cwd=notebook.parent, timeout=900)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return nbformat.read(out, as_version=4)


@needs_kit
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_student_notebook_runs_in_the_kit_and_shows_its_charts(kit, page):
    student = nbformat.read(kit / "student" / f"{page}.ipynb", as_version=4)
    reader = nbformat.read(kit / "reader" / f"{page}.ipynb", as_version=4)
    # The reader's code, less the hidden cells that compute the exercises' answers, plus the self-checks.
    assert [c.source for c in student.cells if c.cell_type == "code" and "self_check(" not in c.source] == \
        [c.source for c in reader.cells if c.cell_type == "code" and "answer-key" not in c.metadata.get("tags", [])]
    assert not [o for c in student.cells if c.cell_type == "code" for o in c.outputs]
    nb = executed_in(kit, kit / "student" / f"{page}.ipynb")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
    # Each coding exercise's check, with the blanks left as given, says "not yet" and names every blank.
    from minebook.exercises import EXERCISES

    checks = {re.search(r'self_check\("([^"]+)"', c.source).group(1): "".join(o.get("text", "") for o in c.outputs)
              for c in nb.cells if c.cell_type == "code" and "self_check(" in c.source}
    assert set(checks) == {label for label in EXERCISES if label.startswith(page[:3] + "-")}
    for label, said in checks.items():
        names = ", ".join(b.name for b in EXERCISES[label])
        assert said == f"Exercise {label}: not yet. Fill in {names}, then run this cell again.\n"
    # Each chart the page places shows in the notebook, as an image (JupyterLab shows no Vega-Lite 6 bundle).
    figures = len(re.findall(r"^`{3,}\{glue:figure\}", (ROOT / "book" / f"{page}.md").read_text(), re.M))
    shown = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
             if 'class="minebook-chart"' in o.get("data", {}).get("text/html", "")]
    assert len(shown) >= figures
    assert all('<img src="data:image/svg+xml;base64,' in h for h in shown)
    # The reader's edition shows the same charts, drawn by the build.
    in_reader = [o["data"]["text/html"] for c in reader.cells for o in c.get("outputs", [])
                 if 'class="minebook-chart"' in o.get("data", {}).get("text/html", "")]
    assert len(in_reader) == len(shown) and all("data:image/svg+xml;base64," in h for h in in_reader)


@needs_kit
@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_with_the_solutions_filled_in_every_check_says_correct(kit, chapter):
    """The teacher's answer key (the student notebook with the book's solutions in its blanks), run again in the
    kit's own environment. The solutions compute afresh what the chapter's hidden cells recorded when the book was
    built, and the checks compare the two."""
    from minebook.exercises import EXERCISES

    nb = executed_in(kit, kit / "teacher" / f"{chapter}-answer-key.ipynb")
    assert [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"] == []
    said = {re.search(r'self_check\("([^"]+)"', c.source).group(1): "".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells if c.cell_type == "code" and "self_check(" in c.source}
    assert set(said) == {label for label in EXERCISES if label.startswith(chapter[:3] + "-")}
    for label, text in said.items():
        assert text.split("\n")[0] == f"Exercise {label}: all correct.", text
        assert [line.strip() for line in text.strip().split("\n")[1:]] == [f"{b.name}: correct." for b in EXERCISES[label]]


def without_the_package(kit: Path, where: Path) -> Path:
    """A Python environment with everything the kit installed except the book's package (as a school lab's
    shared environment might be): the kit's packages, minus minebook, linked into a path file."""
    made = run([sys.executable, "-m", "venv", "--without-pip", str(where / "lab")])
    assert made.returncode == 0, made.stderr
    shared = where / "shared-packages"
    shared.mkdir()
    site = next((kit / ".venv/lib").glob("python3.*/site-packages"))
    for entry in site.iterdir():
        if not entry.name.startswith("minebook"):
            (shared / entry.name).symlink_to(entry)
    lab_site = next((where / "lab/lib").glob("python3.*/site-packages"))
    (lab_site / "shared.pth").write_text(f"{shared}\n")
    for pth in site.glob("*.pth"):
        if not pth.name.startswith(("minebook", "__editable__")):
            shutil.copy2(pth, lab_site / pth.name)
    return where / "lab/bin/python"


def first_cell_only(source: Path, target: Path, extra: list[str] = ()) -> Path:
    nb = nbformat.read(source, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    nb.cells = [setup] + [nbformat.v4.new_code_cell(s) for s in extra]
    nbformat.write(nb, target)
    return target


@needs_kit
def test_a_notebook_given_alone_says_what_to_install_in_one_sentence(kit, tmp_path):
    python = without_the_package(kit, tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    nb = executed_in(kit, first_cell_only(kit / "student" / "ch3-kazakhstan.ipynb", alone / "ch3.ipynb"),
                     python=python, allow_errors=True)
    (error,) = [o for o in nb.cells[0].outputs if o["output_type"] == "error"]
    assert error["ename"] == "SetupNeeded"
    assert error["traceback"] == [error["evalue"]]   # the sentence, and no traceback
    sentence = error["evalue"]
    assert sentence.count(". ") == 0 and sentence.endswith("then run this cell again.")
    assert f"python -m pip install {site_address()}classroom/{WHEEL}" in sentence
    assert "pip install -r requirements.txt" in sentence


@needs_kit
def test_in_the_kit_folder_a_notebook_runs_from_the_wheel_without_installing_it(kit, tmp_path):
    python = without_the_package(kit, tmp_path)
    notebook = first_cell_only(kit / "student" / "ch1-how-mining-works.ipynb", kit / "student" / "kit-only.ipynb", [
        "import minebook, minebook.paths\nfrom minebook import load\n"
        "print(minebook.__file__)\nprint(minebook.paths.data_dir())\nprint(len(load('btc_daily')))"])
    try:
        nb = executed_in(kit, notebook, python=python)
    finally:
        notebook.unlink()
        notebook.with_name("kit-only-ran.ipynb").unlink(missing_ok=True)
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs).split("\n")
    assert printed[0] == str(kit / WHEEL / "minebook" / "__init__.py")
    assert printed[1] == str(kit / "data")
    from minebook import load

    assert int(printed[2]) == len(load("btc_daily"))


@needs_kit
def test_in_colab_the_first_cell_installs_the_package_from_the_site(kit, tmp_path):
    """Colab is out of reach here; its branch of the first cell is not. The site's classroom folder is served on
    127.0.0.1 under the site's path, the cell's address points there, and a `google.colab` module is present."""
    from minebook.serve import serve_directory

    python = without_the_package(kit, tmp_path)
    alone = tmp_path / "colab"
    alone.mkdir()
    notebook = first_cell_only(kit / "student" / "ch5-after-the-blackout.ipynb", alone / "ch5.ipynb",
                               ["import minebook\nfrom minebook import load\nprint(minebook.__file__)\nprint(len(load('btc_daily')))"])
    path = "/" + site_address().split("://", 1)[1].split("/", 1)[1].strip("/")
    with serve_directory(SITE, prefix=path) as base:
        nb = nbformat.read(notebook, as_version=4)
        setup = nb.cells[0].source
        assert f'SITE = "{site_address()}classroom/"' in setup
        nb.cells[0].source = setup.replace(f'SITE = "{site_address()}classroom/"', f'SITE = "{base}/classroom/"')
        nb.cells.insert(0, nbformat.v4.new_code_cell('import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'))
        nbformat.write(nb, notebook)
        ran = executed_in(kit, notebook, python=python)
    printed = "".join(o.get("text", "") for o in ran.cells[2].outputs).split("\n")
    assert printed[0].startswith(str(tmp_path / "lab")) and printed[0].endswith("site-packages/minebook/__init__.py")
    from minebook import load

    assert int(printed[1]) == len(load("btc_daily"))


def test_a_kit_without_a_built_book_fails_in_one_line(tmp_path):
    made = run([sys.executable, "-m", "minebook", "classroom", str(tmp_path)], cwd=ROOT)
    assert made.returncode == 1
    assert made.stderr == f"error: classroom: no student notebooks in {tmp_path / 'notebooks'}: run `make book` first\n"
    assert not (tmp_path / "classroom").exists()
