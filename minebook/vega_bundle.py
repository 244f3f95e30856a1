"""The JavaScript that draws the interactive charts, shipped with the book (`_static/vega-bundle.js`).

The specs are compiled to Vega at build time (by vl-convert), so a page needs Vega's runtime only: not
Vega-Lite's compiler, not vega-embed. That runtime is Vega's own minified build, taken from the npm
package of exactly the Vega version vl-convert compiles for (`make` fetches it with `npm pack`). Where
npm could not fetch it, vl-convert's larger bundle (Vega, Vega-Lite and vega-embed) stands in; it exposes
Vega only through `window.vegaEmbed` (its `window.vega` is null), which the page's loader then uses.
"""
from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

from .errors import SourceError

LICENCE = "Vega {version}, (c) the University of Washington Interactive Data Lab, BSD-3-Clause, https://github.com/vega/vega"


def vega_version() -> str:
    import vl_convert

    return vl_convert.get_vega_version()


def tarball(tools: Path, version: str | None = None) -> Path:
    """Where `npm pack vega@<version>` leaves the package."""
    return Path(tools) / f"vega-{version or vega_version()}.tgz"


def runtime_from(package: Path, version: str) -> str:
    """Vega's minified browser build from its npm package, after checking the package is that version."""
    try:
        with tarfile.open(package, "r:gz") as tar:
            meta = json.load(tar.extractfile("package/package.json"))
            code = tar.extractfile("package/build/vega.min.js").read().decode("utf-8")
    except (OSError, KeyError, tarfile.TarError, ValueError, AttributeError) as exc:
        raise SourceError(str(package), f"not a Vega npm package ({exc})") from None
    if meta.get("name") != "vega" or meta.get("version") != version:
        raise SourceError(str(package), f"holds {meta.get('name')} {meta.get('version')}; the charts are compiled for vega {version}")
    return code


def write_bundle(target: Path, tools: Path) -> str:
    """Write the bundle; returns which one ("vega <version>" or "vl-convert")."""
    version = vega_version()
    package = tarball(tools, version)
    if package.exists():
        code, made_of = runtime_from(package, version), f"vega {version}"
        header = f"/* {LICENCE.format(version=version)} */\n"
    else:
        import vl_convert

        print(f"NOTE: {package} not found (npm could not fetch it): using vl-convert's larger bundle", file=sys.stderr)
        code, made_of, header = vl_convert.javascript_bundle(), "vl-convert", ""
    # In a function scope: top-level `const` names in a bundle (such as `_`) would clash with Sphinx's scripts,
    # and with `define`, `exports` and `module` hidden a module loader on the page cannot take Vega from window.
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + "(function(define,exports,module){\n" + code + "\n})();\n", encoding="utf-8")
    return made_of
