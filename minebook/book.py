"""What the first (hidden) cell of every chapter runs: the same settings on every run."""
from __future__ import annotations

import os
import random
import warnings

import altair as alt
import numpy as np
import pandas as pd

from . import charts

SHOW_CHARTS = False  # set by setup()
SEED = 20220105  # the day of the Kazakh shutdown; any fixed number would do


def rng() -> np.random.Generator:
    """The book's seeded random generator, for simulations."""
    return np.random.default_rng(SEED)


def setup(notebook: bool = False) -> None:
    """`notebook=True` in the downloadable notebooks: charts are shown where they are made, as images,
    rather than glued for the book's pages to place."""
    global SHOW_CHARTS
    SHOW_CHARTS = charts.NOTEBOOK_IMAGES = notebook
    os.environ["TZ"] = "UTC"
    random.seed(SEED)
    pd.set_option("display.precision", 2)
    pd.set_option("display.max_columns", 12)
    pd.set_option("display.width", 100)
    warnings.simplefilter("error", FutureWarning)  # a pandas change should fail loudly, not drift
    charts.setup()


def glue(name: str, value) -> None:
    """Glue a number or text for the prose, as a plain Python value (numpy scalars would be
    stored as `np.float64(...)`, which the prose cannot format). In a downloaded notebook a chart is shown
    here instead, as there is no page to place it on; without myst-nb (a student's environment) nothing is glued."""
    if SHOW_CHARTS and isinstance(value, alt.TopLevelMixin):
        from IPython.display import display

        display(value)
        return
    try:
        from myst_nb import glue as myst_glue
    except ModuleNotFoundError:
        return

    if isinstance(value, np.generic):
        value = value.item()
    myst_glue(name, value, display=False)


class ClaimFailed(AssertionError):
    pass


def check(condition, claim: str) -> None:
    """Guard a sentence or finding-title that the data could falsify: fails the build, naming the claim,
    when the data no longer support it."""
    if not bool(condition):
        raise ClaimFailed(f"the text says {claim!r}, but the data no longer support it: rewrite or derive it")


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


def in_words(n: int, *, zero: str = "no", capital: bool = False) -> str:
    """A count for a sentence: words to twenty ("three windows", not "3 windows"), digits beyond; `zero` is
    "no" ("no windows") or "none" (standing alone); `capital` starts a sentence."""
    word = (zero if n == 0 else NUMBER_WORDS[n]) if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"
    return word[0].upper() + word[1:] if capital else word


def plural(n: int, one: str, many: str | None = None) -> str:
    """'one day', 'two days': a count in words and its noun, in agreement."""
    return f"{in_words(n)} {one if n == 1 else (many or one + 's')}"


def data_note() -> str:
    """What this page has read, and how recent each is: every data set loaded so far with the newest day it
    covers, so a page says how old its data are (a cited table of events or reports has no such date)."""
    from .data import USED, resource

    parts = []
    for name, last in USED.items():
        res = resource(name)
        publisher = res["sources"][0]["title"].split(",")[0] if res.get("sources") else ""
        if publisher.startswith("This book"):
            parts.append(f"this book's cited table of {res['title'][0].lower()}{res['title'][1:]}")
        else:
            title = res["title"].removesuffix(f" ({publisher})")   # the publisher is named once, in front
            parts.append(f"{publisher}: {title}" + (f", to {last}" if last else ""))
    return "; ".join(parts) + "."
