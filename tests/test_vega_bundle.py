"""`python -m minebook bundle`: Vega's runtime from its npm package, checked, or vl-convert's bundle."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile

import vl_convert

from minebook import vega_bundle

VERSION = vl_convert.get_vega_version()


def _package(path, name="vega", version=VERSION, code="window.vega={version:'x'};"):
    with tarfile.open(path, "w:gz") as tar:
        for member, text in (("package/package.json", json.dumps({"name": name, "version": version})),
                             ("package/build/vega.min.js", code)):
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_the_bundle_is_the_packages_runtime_in_a_scope_of_its_own(tmp_path):
    _package(vega_bundle.tarball(tmp_path), code="window.vega={marker:42};")
    target = tmp_path / "out" / "vega-bundle.js"
    assert vega_bundle.write_bundle(target, tmp_path) == f"vega {VERSION}"
    assert target.read_text().splitlines() == [
        f"/* {vega_bundle.LICENCE.format(version=VERSION)} */", "(function(define,exports,module){",
        "window.vega={marker:42};", "})();"]


def test_without_the_package_the_bundle_falls_back_to_vl_converts_and_says_so(tmp_path, capsys):
    target = tmp_path / "vega-bundle.js"
    assert vega_bundle.write_bundle(target, tmp_path / "no-tools") == "vl-convert"
    assert "window.vegaEmbed=" in target.read_text()  # the loader draws through vega-embed then (browser test)
    assert "NOTE:" in capsys.readouterr().err


def test_a_package_of_another_version_is_refused_in_one_line_and_nothing_is_written(tmp_path):
    _package(vega_bundle.tarball(tmp_path), version="5.0.0")
    target = tmp_path / "vega-bundle.js"
    run = subprocess.run([sys.executable, "-m", "minebook", "bundle", str(target), "--tools", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == (f"error: {vega_bundle.tarball(tmp_path)}: holds vega 5.0.0; "
                          f"the charts are compiled for vega {VERSION}\n")
    assert not target.exists()


def test_a_broken_package_is_refused_in_one_line(tmp_path):
    vega_bundle.tarball(tmp_path).write_bytes(b"<html>not a tarball</html>")
    run = subprocess.run([sys.executable, "-m", "minebook", "bundle", str(tmp_path / "b.js"), "--tools", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stderr.startswith(f"error: {vega_bundle.tarball(tmp_path)}: not a Vega npm package (")
    assert len(run.stderr.splitlines()) == 1


def test_pages_are_read_again_when_data_or_code_change(monkeypatch):
    """`make book` empties the notebook cache when the data or the package change; Sphinx must then re-read
    every page, not only those whose source changed, or their outputs would come from the old data."""
    from types import SimpleNamespace

    from minebook import cache, sphinx_site

    env = SimpleNamespace(found_docs={"book/intro", "book/ch1", "book/ch3"})
    monkeypatch.setattr(cache, "fingerprint", lambda data_dir=None: "first")
    assert sphinx_site.rerun_after_code_or_data_changes(None, env, {"book/intro"}, {"book/ch3"}, set()) == ["book/ch1"]
    assert sphinx_site.rerun_after_code_or_data_changes(None, env, set(), set(), set()) == []   # nothing moved
    monkeypatch.setattr(cache, "fingerprint", lambda data_dir=None: "second")
    assert sphinx_site.rerun_after_code_or_data_changes(None, env, set(), set(), set()) == ["book/ch1", "book/ch3", "book/intro"]
