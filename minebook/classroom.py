"""The classroom kit: everything a class needs to run the book's notebooks without the repository.

`make classroom` writes `_build/html/classroom/`:

- `minebook-<version>-py3-none-any.whl`, the book's package with the data snapshots inside (a notebook
  finds them there; `load` checks each against its sha256, as in a checkout);
- `hashrate-classroom.zip`, one folder: a README for students, a pinned `requirements.txt` (what the
  notebooks import, and JupyterLab), the wheel, `data/`, the notebooks in `student/` and `reader/`, and in
  `teacher/` the answer key: each chapter's student notebook with the book's solutions, executed.

`make classroom-offline` adds `wheels/`, every package for this platform, for a lab without internet.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import exercises, paths
from .errors import clean

KIT = "hashrate-classroom"
# What a student's environment needs: the packages the notebooks and the book's package import, each pinned to
# the version in the book's own requirements.txt, so the kit runs what CI tests; and JupyterLab to open them,
# pinned here. (Not in the book's environment: its dependencies add most of a second to every `import altair`,
# through jsonschema's format checkers, which slowed the book's build by a sixth.)
STUDENT_PACKAGES = ["pandas", "numpy", "scipy", "altair", "vl-convert-python", "jinja2", "ipykernel"]
JUPYTERLAB = "jupyterlab==4.6.6"


class ClassroomError(Exception):
    """The kit could not be built; the message says what and why, in one line."""


def version() -> str:
    text = (paths.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


def wheel_name() -> str:
    return f"minebook-{version()}-py3-none-any.whl"


def site_url() -> str:
    """The published site's address: BOOK_SITE_URL, else html.baseurl in _config.yml (as the build uses)."""
    import yaml

    site = os.environ.get("BOOK_SITE_URL") or \
        yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]
    return site if site.endswith("/") else site + "/"


def pinned_requirements() -> list[str]:
    """`name==version` for each student package, from the book's requirements.txt."""
    pins = {}
    for line in (paths.ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(0)
    missing = [name for name in STUDENT_PACKAGES if name not in pins]
    if missing:
        raise ClassroomError(f"requirements.txt: no pinned version of {', '.join(missing)} for the classroom kit")
    return [pins[name] for name in STUDENT_PACKAGES] + [JUPYTERLAB]


def build_wheel(out_dir: Path, answers: Path, data_dir: Path | None = None) -> Path:
    """The package as a wheel, carrying the data snapshots and the exercises' answers for the self-checks (built
    from a copy, so the checkout stays as it is)."""
    data_dir = Path(data_dir or paths.data_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "src"
        shutil.copytree(paths.ROOT / "minebook", stage / "minebook", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(paths.ROOT / "pyproject.toml", stage / "pyproject.toml")
        snapshots = stage / "minebook" / paths.PACKAGED_DATA.name
        snapshots.mkdir()
        for name in snapshot_files(data_dir):
            shutil.copy2(data_dir / name, snapshots / name)
        shutil.copy2(answers, snapshots / answers.name)
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                                "--quiet", "--wheel-dir", str(out_dir), str(stage)],
                               capture_output=True, text=True)
        if build.returncode != 0:
            last = (build.stderr.strip().splitlines() or ["pip wheel failed"])[-1]
            raise ClassroomError(f"the package's wheel could not be built: {clean(last)}")
    wheel = out_dir / wheel_name()
    if not wheel.is_file():
        raise ClassroomError(f"pip wrote no {wheel.name} into {out_dir}")
    return wheel


def snapshot_files(data_dir: Path) -> list[str]:
    """datapackage.json and the files it names (nothing else in the folder travels)."""
    import json

    package = json.loads((data_dir / paths.DATAPACKAGE).read_text(encoding="utf-8"))
    return [paths.DATAPACKAGE] + sorted(r["path"] for r in package["resources"])


README = """\
# Hashrate on the Move: the classroom kit

The book's notebooks, its data and its small Python package, to run on your own computer.
The book itself is online at {site}.

## Three steps (about five minutes, once)

1. Unzip this folder anywhere, open a terminal in it, and make a Python environment
   (Python 3.11 or newer):

       python -m venv .venv

2. Install what the notebooks need (on Windows, `.venv\\Scripts\\python` instead of `.venv/bin/python`):

       .venv/bin/python -m pip install -r requirements.txt

   In a lab without internet, if your teacher's kit has a `wheels` folder:

       .venv/bin/python -m pip install --no-index --find-links wheels -r requirements.txt

3. Start JupyterLab and open a notebook in `student/`:

       .venv/bin/jupyter lab

## What is here

- `student/`: one notebook per chapter, with the exercises and without the solutions. Run it from the top.
  Each exercise that asks for code ends with a cell of blanks (`...`): fill them in and run the cell, and it
  says whether your answer matches the book's, or what to look at again.
- `reader/`: the same notebooks with every output and every solution, as the book shows them.
- `data/`: the data every notebook reads, with where each file comes from, its licence and its checksum
  in `data/datapackage.json`.
- `teacher/`: the answer key, each chapter's student notebook with the book's solutions filled in and run
  (and, when the kit was made with `make pdf`, all of them printed in `answer-key.pdf`).
- `{wheel}`: the book's Python package (it carries the same data).

A notebook copied out of this folder still runs once the package is installed:
`pip install {site}classroom/{wheel}`. In Google Colab its first cell installs it for you.
"""


def build_kit(site_dir: Path, offline_dir: Path | None = None) -> list[Path]:
    """The wheel and the kit's zip in `site_dir/classroom/`; with `offline_dir`, also the kit with a
    wheelhouse for this platform, as a folder and a zip there. Returns what was written."""
    site_dir = Path(site_dir)
    notebooks = site_dir / "notebooks"
    if not any(notebooks.glob("*-student.ipynb")):
        raise ClassroomError(f"no student notebooks in {notebooks}: run `make book` first")
    out = site_dir / "classroom"
    out.mkdir(parents=True, exist_ok=True)
    answers = notebooks / exercises.ANSWERS_FILE
    if not answers.is_file():
        raise ClassroomError(f"no {answers.name} in {notebooks}: run `make book` first")
    wheel = build_wheel(out, answers)
    data_dir = paths.data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        kit = Path(tmp) / KIT
        (kit / "data").mkdir(parents=True)
        for name in snapshot_files(data_dir):
            shutil.copy2(data_dir / name, kit / "data" / name)
        (kit / "student").mkdir()
        (kit / "reader").mkdir()
        for nb in sorted(notebooks.glob("*.ipynb")):
            if nb.stem.endswith("-student"):
                shutil.copy2(nb, kit / "student" / f"{nb.stem.removesuffix('-student')}.ipynb")
            else:
                shutil.copy2(nb, kit / "reader" / nb.name)
        (kit / "teacher").mkdir()
        keys = answer_keys(notebooks)
        for key in keys:
            shutil.copy2(key, kit / "teacher" / key.name.split("-", 1)[1])
        # The printed key (`make pdf`), only if it was printed from these answer keys, not from an older run.
        printed = paths.ROOT / "_build" / "pdf" / "answer-key.pdf"
        if printed.is_file() and all(printed.stat().st_mtime >= key.stat().st_mtime for key in keys):
            shutil.copy2(printed, kit / "teacher" / printed.name)
        shutil.copy2(wheel, kit / wheel.name)
        (kit / "requirements.txt").write_text(
            "# What the book's notebooks need, pinned to the versions the book is tested with.\n"
            + "\n".join(pinned_requirements()) + f"\n./{wheel.name}\n", encoding="utf-8")
        (kit / "README.md").write_text(README.format(site=site_url(), wheel=wheel.name), encoding="utf-8")
        written = [wheel, write_zip(kit, out / f"{KIT}.zip")]
        if offline_dir is not None:
            offline_dir = Path(offline_dir)
            download = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--dest",
                                       str(kit / "wheels"), "-r", "requirements.txt"],
                                      cwd=kit, capture_output=True, text=True)
            if download.returncode != 0:
                # pip's last line may quote what an index served: one short printable line, like every error.
                last = (download.stderr.strip().splitlines() or ["pip download failed"])[-1]
                raise ClassroomError(f"the offline wheelhouse could not be downloaded: {clean(last)}")
            shutil.rmtree(offline_dir / KIT, ignore_errors=True)
            offline_dir.mkdir(parents=True, exist_ok=True)
            shutil.copytree(kit, offline_dir / KIT)
            written.append(write_zip(kit, offline_dir / f"{KIT}-offline.zip"))
    return written


def answer_keys(notebooks: Path) -> list[Path]:
    """Each chapter's student notebook with the book's solutions in its blanks, executed: every check says
    "correct". Run again only when the notebook, the book's package or its data changed (they are the key)."""
    import hashlib

    import nbformat
    from nbclient import NotebookClient

    from .cache import fingerprint
    from .notebooks import answer_key_dir

    cache = paths.ROOT / ".jupyter_cache" / "answer-keys"
    cache.mkdir(parents=True, exist_ok=True)
    keys = []
    for unrun in sorted(answer_key_dir(notebooks).glob("*-answer-key.ipynb")):
        solved = nbformat.read(unrun, as_version=4)
        code = "\n\0".join(c.source for c in solved.cells if c.cell_type == "code")
        key = hashlib.sha256((code + fingerprint()).encode()).hexdigest()[:16]
        done = cache / f"{key}-{unrun.name}"
        if not done.exists():
            try:
                NotebookClient(solved, timeout=600, kernel_name="python3",
                               resources={"metadata": {"path": str(notebooks)}}).execute()
            except Exception as exc:   # nbclient's CellExecutionError carries the whole traceback
                last = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))   # no terminal colours
                raise ClassroomError(f"{unrun.name}: the answer key did not run: {clean(last, 1000)[-300:]}") from None
            for cell in solved.cells:   # values glued for the book's pages mean nothing in a notebook
                if "outputs" in cell:
                    cell.outputs = [o for o in cell.outputs if "scrapbook" not in o.get("metadata", {})]
            nbformat.write(solved, done)
        keys.append(done)
    return keys


def write_zip(folder: Path, target: Path) -> Path:
    """`folder` as a zip whose single top folder is its name, written whole or not at all, with fixed dates so
    an unchanged kit gives the same bytes."""
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(Path(folder.name) / path.relative_to(folder)), (2022, 1, 5, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    partial.replace(target)
    return target
