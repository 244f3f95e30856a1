"""Self-checks for the exercises that ask for code: a student's answer against the book's.

A chapter's hidden answer-key cell calls `record(label, name=value, ...)` with the values it computed; the
build collects them from the executed notebooks into `exercise-answers.json` (`notebooks.build`), which the
classroom kit's wheel carries. In a student notebook each coding exercise ends with a cell of blanks and
`self_check(label, ...)`, which says "correct", "not yet", or what is off, and never prints the book's value.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

ANSWERS_FILE = "exercise-answers.json"
MIME = "application/vnd.minebook.answers+json"


@dataclass(frozen=True)
class Blank:
    name: str           # the variable the student fills in
    what: str           # what to compute, with its unit: the blank's comment
    tolerance: float = 0.01
    absolute: bool = False   # the tolerance is absolute (fractions, percentage points), else relative
    kind: str = "number"     # number | count | date | time | month | set | ranked
    hint: str = ""           # what to look at again when the value is off


FRACTION = "a fraction: -0.25 for a fall of 25%"
EXERCISES: dict[str, list[Blank]] = {
    "ch1-ex1": [Blank("mean_attempts", 'mean attempts of mine(f"my block {i}", 18) over 20 headers', 0.7,
                      hint="each attempt succeeds with probability 2**-18; did you ask for 18 zero bits?")],
    "ch1-ex2": [Blank("breakeven_price", "USD/kWh at which the 50 J/TH machine just pays for its power, January 2022"),
                Blank("breakeven_j_th", "J/TH at which a machine just pays for power at 0.06 USD/kWh")],
    "ch1-ex3": [Blank("slow_months", "complete months since January 2016 under 140 blocks a day, slowest first",
                      kind="ranked", hint="leave out the month still in progress, and any month before 2016")],
    "ch1-ex4": [Blank("revenue_change", f"change in revenue per day across the 2020 halving, {FRACTION}", 0.005, True),
                Blank("hashprice_change", f"change in hashprice across the 2020 halving, {FRACTION}", 0.005, True)],
    "ch2-ex1": [Blank(f"fall_{w}", f"fall from the spring 2021 peak of the {w}-day mean, in percent", 0.1, True,
                      hint="peak before June, low from 15 May to August, as in the chapter") for w in (7, 14, 30)],
    "ch2-ex2": [Blank("peak_month", "the month in which Germany + Ireland + Other peaks", kind="month"),
                Blank("peak_share", "that peak share, in percent", 0.1, True)],
    "ch2-ex3": [Blank("blend_day", "the day the July 2021 retarget took effect", kind="date"),
                Blank("share_new", "fraction of that day's blocks mined at the new difficulty", 0.01, True)],
    "ch2-ex5": [Blank("limit_j_th", "the least efficient machine (J/TH) that paid in every month", 0.5, True),
                Blank("passing_models", "the models in `asics` that paid in every month", kind="set")],
    "ch3-ex1": [Blank("after_change", f"change against the days after, {FRACTION}", 0.002, True),
                Blank("after_bound", "bound on a sustained loss against the days after, as a fraction", 0.002, True),
                Blank("pooled_change", f"change against both baselines pooled, {FRACTION}", 0.002, True),
                Blank("pooled_bound", "bound on a sustained loss against both pooled, as a fraction", 0.002, True)],
    "ch3-ex2": [Blank("loss_start", "start of the first six-hour step wholly below 100% (a timestamp)", kind="time",
                      hint="look for the first step whose upper limit is below 1")],
    "ch3-ex3": [Blank("max_power", "the highest power against the chapter's baseline, as a fraction", 0.02, True),
                Blank("days_needed", "days of each window for 95% power, in steps of 10", 0, True, kind="count")],
    "ch4-ex1": [Blank("abnormal_sp500", "abnormal return over the window with the S&P 500 as market (log)", 0.0005, True),
                Blank("t_sp500", "its t statistic (abnormal return over its standard error)", 0.02, True)],
    "ch4-ex2": [Blank("abnormal_short", "abnormal return with 120 days of estimation and a gap of 30 (log)", 0.0005, True),
                Blank("t_short", "its t statistic", 0.02, True)],
    "ch4-ex4": [Blank(f"corr_{y}", f"correlation of Coinbase-price returns with the Nasdaq's in {y}", 0.005, True)
                for y in (2021, 2022)],
    "ch5-ex1": [Blank("pay_change", f"change in pay per PH/s a day in bitcoin across the 2024 halving, {FRACTION}",
                      0.005, True)],
    "ch5-ex2": [Blank("top_fee_days", "the five days since 2022 with the largest fee share", kind="set")],
    "ch5-ex3": [Blank("corr_before", "correlation with the Nasdaq, 250 trading days before the funds", 0.005, True),
                Blank("corr_after", "correlation with the Nasdaq, 250 trading days after", 0.005, True)],
}

# Code that fills every blank from the notebook's own variables: the teacher's answer key, and what the tests run.
SOLUTIONS: dict[str, str] = {
    "ch1-ex1": 'mean_attempts = np.mean([mine(f"my block {i}", 18) for i in range(20)])',
    "ch1-ex2": ('usd_per_th_day = monthly.set_index("date").loc["2022-01-01", "usd_per_phs_day"] / 1000\n'
                "breakeven_price = usd_per_th_day / (0.024 * 50)\n"
                "breakeven_j_th = usd_per_th_day / (0.024 * 0.06)"),
    "ch1-ex3": ('m = btc.set_index("date")["blocks"].resample("MS").agg(["mean", "size"])\n'
                'complete = m[m["size"] == m.index.days_in_month]\n'
                'slow_months = complete.loc["2016-01-01":].query("mean < 140").sort_values("mean").index'),
    "ch1-ex4": ('window = btc.set_index("date").loc["2020-04-11":"2020-06-10"]\n'
                'rev = window["issuance_usd"] + window["fees_usd_computed"]\n'
                'hp = rev / (window["hashrate_ehs"] * 1000)\n'
                'revenue_change = rev["2020-05-12":].mean() / rev[:"2020-05-10"].mean() - 1\n'
                'hashprice_change = hp["2020-05-12":].mean() / hp[:"2020-05-10"].mean() - 1'),
    "ch2-ex1": ("falls = {}\n"
                "for w in (7, 14, 30):\n"
                '    smooth = btc.set_index("date")["hashrate_ehs"].rolling(w).mean()["2021"]\n'
                '    top, bottom = smooth[:"2021-05-31"].max(), smooth["2021-05-15":"2021-08-31"].min()\n'
                "    falls[w] = 100 * (1 - bottom / top)\n"
                "fall_7, fall_14, fall_30 = falls[7], falls[14], falls[30]"),
    "ch2-ex2": ('proxy = share[["Germany", "Ireland", "Other"]].sum(axis=1)\n'
                "peak_month, peak_share = proxy.idxmax(), proxy.max()"),
    "ch2-ex3": ('window = diff["2021-06-30":"2021-07-06"]\n'
                "old, new = window.iloc[0], window.iloc[-1]\n"
                "blend = window[(window < old * (1 - 1e-9)) & (window > new * (1 + 1e-9))]\n"
                "blend_day = blend.index[0]\n"
                "share_new = (old - blend.iloc[0]) / (old - new)"),
    "ch2-ex5": ('max_j_per_th = power_check["usd_per_th_day"] / (0.024 * power_check["us_price"])\n'
                "limit_j_th = max_j_per_th.min()\n"
                "passing_models = asics[asics <= limit_j_th].index"),
    "ch3-ex1": ("after_change = ratio_interval(n_k, e_k, n_a, e_a)[0] - 1\n"
                "after_bound = 1 - ratio_lower_bound(n_k, e_k, n_a, e_a)\n"
                "pooled_change = ratio_interval(n_k, e_k, n_b + n_a, e_b + e_a)[0] - 1\n"
                "pooled_bound = 1 - ratio_lower_bound(n_k, e_k, n_b + n_a, e_b + e_a)"),
    "ch3-ex2": ("nb, eb = count_and_exposure(*xj_base)\n"
                "rows = []\n"
                'for start in pd.date_range("2021-04-12", "2021-04-24 18:00", freq="6h"):\n'
                "    n, e = count_and_exposure(start, start + pd.Timedelta(hours=6))\n"
                "    rows.append((start, *ratio_interval(n, e, nb, eb)))\n"
                'xj_steps = pd.DataFrame(rows, columns=["start", "relative", "low", "high"])\n'
                'loss_start = xj_steps.loc[xj_steps["high"] < 1, "start"].iloc[0]'),
    "ch3-ex3": ("max_power = power_of(0.05, 60, base_days)\n"
                "days_needed = min(d for d in range(10, 121, 10) if power_of(0.05, d, d) >= 0.95)"),
    "ch4-ex1": ('sp = event_study(returns, "2022-01-05", "2022-01-07", market="S&P 500")\n'
                'abnormal_sp500, t_sp500 = sp["car"], sp["car"] / sp["se"]'),
    "ch4-ex2": ('short = event_study(returns, "2022-01-05", "2022-01-07", estimation=120, gap=30)\n'
                'abnormal_short, t_short = short["car"], short["car"] / short["se"]'),
    "ch4-ex4": ('coinbase = load("fred_cbbtcusd").set_index("date")["btc_usd_coinbase"]\n'
                "alt_returns = np.log(coinbase.reindex(returns.index)).diff()\n"
                'corr_2021 = alt_returns.loc["2021"].corr(returns.loc["2021", "Nasdaq"])\n'
                'corr_2022 = alt_returns.loc["2022"].corr(returns.loc["2022", "Nasdaq"])'),
    "ch5-ex1": ('btc_pay = (btc["issuance_btc"] + btc["fees_btc"]) / (btc["hashrate_ehs"] * 1000)\n'
                "pay_change = btc_pay[after.index].mean() / btc_pay[before.index].mean() - 1"),
    "ch5-ex2": ('fee_share = btc["fees_btc"] / (btc["fees_btc"] + btc["issuance_btc"])\n'
                'top_fee_days = fee_share["2022":].nlargest(5).index'),
    "ch5-ex3": ("pre = returns.loc[:etf_day].iloc[-251:-1]\n"
                "post = returns.loc[etf_day:].iloc[1:251]\n"
                'corr_before = pre["Bitcoin"].corr(pre["Nasdaq"])\n'
                'corr_after = post["Bitcoin"].corr(post["Nasdaq"])'),
}


def record(label: str, **values) -> None:
    """In a chapter's answer-key cell: the book's answers to exercise `label`, kept in the executed notebook
    for the build to collect. (Nothing shows: the cell is hidden, and a downloaded notebook records nothing.)"""
    from . import book

    blanks = {b.name: b for b in EXERCISES[label]}
    if set(values) != set(blanks):
        raise ValueError(f"exercise {label}: record {sorted(blanks)}, not {sorted(values)}")
    if book.SHOW_CHARTS:
        return
    from IPython.display import display

    display({MIME: {label: {name: plain(blanks[name], value) for name, value in values.items()}}}, raw=True)


def plain(blank: Blank, value):
    """A value as JSON holds it and as `self_check` compares it: numbers, ISO dates and times, lists of strings."""
    import pandas as pd

    if blank.kind in ("number", "count"):
        if isinstance(value, (pd.Series, pd.DataFrame)) or isinstance(value, (list, tuple, set)):
            raise TypeError("a table or a list, where one number is asked for")
        return float(value)
    if blank.kind in ("date", "time", "month"):
        if isinstance(value, (pd.Series, pd.Index, list, tuple)):
            raise TypeError("several dates, where one is asked for")
        stamp = pd.Timestamp(value)
        return stamp.strftime({"date": "%Y-%m-%d", "time": "%Y-%m-%d %H:%M", "month": "%Y-%m"}[blank.kind])
    if isinstance(value, dict) and blank.kind == "ranked":   # the book's own ranking, as `record` gets it
        return {"items": [str(i) for i in value["items"]], "ranks": [float(r) for r in value["ranks"]]}
    if isinstance(value, str):
        raise TypeError("one text, where a list is asked for")
    items = list(value.index) if isinstance(value, pd.Series) else list(value)   # a Series: its labels
    out = []
    for item in items:
        if isinstance(item, pd.Timestamp) or hasattr(item, "strftime"):
            item = pd.Timestamp(item).strftime("%Y-%m" if blank.kind == "ranked" else "%Y-%m-%d")
        out.append(str(item))
    return out


def answers() -> dict:
    """The book's recorded answers: inside the installed package (or the kit's wheel), else beside a checkout's
    built notebooks."""
    from importlib import resources

    from . import paths

    packaged = resources.files("minebook").joinpath("snapshots", ANSWERS_FILE)
    if packaged.is_file():
        return json.loads(packaged.read_text(encoding="utf-8"))
    built = paths.ROOT / "_build" / "html" / "notebooks" / ANSWERS_FILE
    if built.is_file():
        return json.loads(built.read_text(encoding="utf-8"))
    raise FileNotFoundError("the book's answers are not here: they come with the classroom kit's package")


def verdict(blank: Blank, given, expected) -> str:
    """One line on one blank, never showing the expected value."""
    try:
        value = plain(blank, given)
    except (TypeError, ValueError) as exc:
        return f"{blank.name}: not an answer of the right kind ({exc}): {blank.what}."
    again = f" {blank.hint[0].upper()}{blank.hint[1:]}." if blank.hint else ""
    if blank.kind in ("number", "count"):
        if not math.isfinite(value):
            return f"{blank.name}: {value} is not a number yet."
        off = abs(value - expected) if blank.absolute else abs(value - expected) / abs(expected)
        if off <= blank.tolerance:
            return f"{blank.name}: correct."
        for factor, why in ((100, "a percentage where a fraction is asked, or the reverse"),
                            (1000, "a factor of 1,000: check the units (TH/s or PH/s? kWh or Wh?)")):
            for scaled in (value / factor, value * factor):
                if expected and abs(scaled - expected) <= max(abs(expected) * 0.01, blank.tolerance):
                    return f"{blank.name}: your value {value:.4g} looks like {why}."
        if expected and abs(-value - expected) <= abs(expected) * 0.01 + (blank.tolerance if blank.absolute else 0):
            fall = ": a fall is negative" if FRACTION in blank.what else ""
            return f"{blank.name}: your value {value:.4g} has the wrong sign{fall}."
        return f"{blank.name}: your value {value:.4g} is far from the book's.{again}"
    if blank.kind in ("date", "time", "month"):
        return f"{blank.name}: correct." if value == expected else f"{blank.name}: {value} is not the book's answer.{again}"
    if blank.kind == "set":
        right = len(set(value) & set(expected))
        if set(value) == set(expected):
            return f"{blank.name}: correct."
        return f"{blank.name}: {right} of your {len(value)} are among the book's {len(expected)}.{again}"
    # ranked: the same items; ties in the book's ranking may come in either order.
    items, ranks = expected["items"], expected["ranks"]
    if set(value) != set(items) or len(value) != len(items):
        right = len(set(value) & set(items))
        return f"{blank.name}: {right} of your {len(value)} are among the book's {len(items)}.{again}"
    rank = dict(zip(items, ranks))
    if all(rank[a] <= rank[b] for a, b in zip(value, value[1:])):
        return f"{blank.name}: correct."
    return f"{blank.name}: the right ones, in another order: sort them, slowest first."


def self_check(label: str, **given) -> None:
    """Say, blank by blank, whether a student's answers to exercise `label` match the book's."""
    blanks = EXERCISES.get(label)
    if blanks is None:
        print(f"{label}: no such exercise")
        return
    missing = [b.name for b in blanks if given.get(b.name, ...) is ...]
    if missing:
        print(f"Exercise {label}: not yet. Fill in {', '.join(missing)}, then run this cell again.")
        return
    try:
        book = answers()[label]
    except (FileNotFoundError, KeyError) as exc:
        print(f"Exercise {label}: cannot check here ({exc}).")
        return
    lines = [verdict(b, given[b.name], book[b.name]) for b in blanks]
    done = all(line.endswith(": correct.") for line in lines)
    print(f"Exercise {label}: {'all correct.' if done else 'not yet.'}\n" + "\n".join(f"  {line}" for line in lines))


def blanks_cell(label: str) -> str:
    """The code cell a student notebook puts after exercise `label`."""
    blanks = EXERCISES[label]
    width = max(len(b.name) for b in blanks)
    lines = [f"# Exercise {label}, your answer: replace each ... with code that computes it, then run this cell."]
    lines += [f"{b.name.ljust(width)} = ...   # {b.what}" for b in blanks]
    lines += ["", "from minebook.exercises import self_check",
              f"self_check(\"{label}\", " + ", ".join(f"{b.name}={b.name}" for b in blanks) + ")"]
    return "\n".join(lines)


def solved_cell(label: str) -> str:
    """The same cell with the book's solution in place of the blanks: the teacher's answer key."""
    blanks = EXERCISES[label]
    return "\n".join([f"# Exercise {label}: the book's solution.", SOLUTIONS[label], "",
                      "from minebook.exercises import self_check",
                      f"self_check(\"{label}\", " + ", ".join(f"{b.name}={b.name}" for b in blanks) + ")"])


def collect(notebooks) -> dict:
    """Every answer recorded in the executed notebooks, by exercise."""
    found = {}
    for nb in notebooks:
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                found.update(output.get("data", {}).get(MIME, {}))
    return found


def write_answers(found: dict, target: Path) -> Path:
    missing = sorted(set(EXERCISES) - set(found))
    if missing:
        raise ValueError(f"no recorded answers for exercise {', '.join(missing)}: add record(...) to its answer-key cell")
    target.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target
