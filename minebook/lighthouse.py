"""Lighthouse (the npm package, installed by the Makefile into .tools/) on a page served from 127.0.0.1.

The mobile preset is Lighthouse's default: a phone-sized screen, a simulated slow 4G connection and a CPU four
times slower than this one. Nothing leaves the machine: the page is local and Chromium is Debian's.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from .paths import ROOT
from .pdf import chromium_path

VERSION = "12.2.3"
CLI = ROOT / ".tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
# The "good" thresholds of Core Web Vitals, and the first-load budget.
BUDGETS = {"performance": 95, "largest paint (s)": 2.5, "blocking time (ms)": 200, "layout shift": 0.1,
           "transferred (KiB)": 300}


def available() -> bool:
    return CLI.is_file() and Path(chromium_path()).exists()


def audit(url: str, categories: tuple[str, ...] = ("performance", "accessibility", "best-practices", "seo"),
          extra: tuple[str, ...] = ()) -> dict:
    """Lighthouse's report (JSON) for `url`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        try:
            subprocess.run(
                ["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
                 f"--only-categories={','.join(categories)}", f"--chrome-path={chromium_path()}",
                 "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                 "--disable-component-update --disable-sync --no-first-run", *extra],
                check=True, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=180)
            return json.loads(out.read_text())
        except subprocess.TimeoutExpired:
            raise LighthouseError(url, "no report within 180 s") from None
        except subprocess.CalledProcessError as failed:
            last = (failed.stderr or "").strip().splitlines()[-1:] or [f"exit status {failed.returncode}"]
            raise LighthouseError(url, last[0][:300]) from None
        except (OSError, ValueError) as failed:
            raise LighthouseError(url, f"unreadable report ({failed})") from None


class LighthouseError(Exception):
    """Lighthouse gave no report for a page; the message names the page and the reason, on one line."""
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {' '.join(reason.split())}")


def summary(report: dict) -> dict:
    """The figures a reader feels, from one report."""
    audits, cats = report["audits"], report["categories"]
    row = {name: round(cat["score"] * 100) for name, cat in cats.items() if cat.get("score") is not None}
    if "performance" in cats:
        row["first paint (s)"] = audits["first-contentful-paint"]["numericValue"] / 1000
        row["largest paint (s)"] = audits["largest-contentful-paint"]["numericValue"] / 1000
        row["blocking time (ms)"] = audits["total-blocking-time"]["numericValue"]
        row["layout shift"] = audits["cumulative-layout-shift"]["numericValue"]
    row["transferred (KiB)"] = transferred(report) / 1024
    return row


def median_run(reports: list[dict]) -> dict:
    """The run in the middle by performance score (ties broken by largest paint), as Lighthouse's own
    documentation advises: one run of its simulated phone varies by several points on a 2-core machine."""
    if not reports:
        raise ValueError("no Lighthouse report to choose from")
    def key(report: dict) -> tuple[float, float]:
        audits = report["audits"]
        return (report["categories"]["performance"]["score"],
                -audits["largest-contentful-paint"]["numericValue"])
    return sorted(reports, key=key)[len(reports) // 2]


def transferred(report: dict) -> int:
    """Bytes on the wire (compressed) for every request of the page's first load."""
    items = report["audits"]["network-requests"]["details"]["items"]
    return int(sum(item.get("transferSize", 0) for item in items))


def failing(report: dict) -> list[str]:
    """The audits below full marks in the accessibility, best-practices and SEO categories, by title."""
    bad = []
    for name in ("accessibility", "best-practices", "seo"):
        cat = report["categories"].get(name)
        for ref in (cat or {}).get("auditRefs", []):
            result = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and result.get("score") is not None and result["score"] < 1:
                bad.append(f"{name}: {result['title']}")
    return bad
