"""The teacher's guide and the glossary against the chapters they serve.

Parsed from the sources, so a chapter that adds, drops or renames an exercise, a figure or a term fails here
before it fails the build: the guide's index, answer key, lesson plans and chart-reading track must follow."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from notebooks import BOOK

GUIDE = (BOOK / "teachers.md").read_text()
GLOSSARY = (BOOK / "glossary.md").read_text()
PAGES = {p.stem: p.read_text() for p in sorted(BOOK.glob("*.md"))}

# The terms the chapters may link with {term} (editor's conventions, rule 4): the glossary defines each.
HOUSE_TERMS = [
    "abnormal return", "ASIC", "beta", "block", "block header", "block reward", "block subsidy", "CBECI",
    "confidence interval", "confounding", "correlation", "cross-correlation", "difficulty", "difficulty adjustment",
    "drawdown", "efficiency", "EH/s", "event study", "exposure", "FOMC", "Garwood interval", "GW", "halving", "hash",
    "hash rate", "hashprice", "J/TH", "log return", "market model", "mining map", "nonce", "one-sided bound",
    "Poisson process", "pool", "proof of work", "retarget", "SHA-256", "statistical power", "t statistic", "TWh", "UTC",
]


def glossary_entries() -> dict[str, str]:
    """term -> definition, from the `glossary` directive (terms unindented, definitions indented)."""
    body = re.search(r"```\{glossary\}\n(.*?)\n```", GLOSSARY, re.S).group(1)
    entries, term = {}, None
    for line in body.splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith(" "):
            entries[term] += " " + line.strip()
        else:
            term = line.strip()
            entries[term] = ""
    return entries


def chapter_exercises() -> list[tuple[str, str, str]]:
    """(page stem, label, title) of every exercise in the book, in reading order of the chapters."""
    found = []
    for stem in sorted(s for s in PAGES if re.match(r"ch\d", s)):
        for title, label in re.findall(r"^`{3,}\{exercise\} *(.*?)\n:label: *(\S+)", PAGES[stem], re.M):
            found.append((stem, label, title.strip()))
        # Also the form (chN-exK)= before a heading, should a chapter label its exercises that way.
        found += [(stem, label, None) for label in re.findall(r"^\((ch\d+-ex\d+)\)=$", PAGES[stem], re.M)]
    return found


def section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## ` heading."""
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def labels_in_book() -> set[str]:
    labels = set()
    for text in PAGES.values():
        labels |= set(re.findall(r"^\(([\w-]+)\)=$", text, re.M))
        labels |= set(re.findall(r"^:label: *(\S+)", text, re.M))
    return labels


def names_in_book() -> set[str]:
    return {n for text in PAGES.values() for n in re.findall(r"^:name: *(\S+)", text, re.M)}


# The glossary ---------------------------------------------------------------------------------------------------

def test_glossary_defines_every_house_term_sorted_and_pointed_to_a_chapter():
    entries = glossary_entries()
    assert ":sorted:" in GLOSSARY
    missing = [t for t in HOUSE_TERMS if t.lower() not in {e.lower() for e in entries}]
    assert missing == []
    assert len({e.lower() for e in entries}) == len(entries), "a term is defined twice"
    for term, definition in entries.items():
        assert re.search(r"See \[(Chapter \d|the fact-check appendix)\]\(", definition), f"{term}: no pointer to a chapter"
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", definition.split(" See [")[0])
        assert 1 <= len(sentences) <= 3, f"{term}: {len(sentences)} sentences"


def test_every_term_the_book_links_is_in_the_glossary():
    defined = {e.lower() for e in glossary_entries()}
    used = set()
    for text in PAGES.values():
        for role in re.findall(r"\{term\}`([^`]+)`", text):
            target = re.search(r"<([^>]+)>\s*$", role)
            used.add((target.group(1) if target else role).strip().lower())
    assert sorted(used - defined) == []


# The index of exercises and the answer key ----------------------------------------------------------------------

def test_the_index_lists_every_exercise_of_the_chapters_with_its_title():
    rows = re.findall(r"^\| \{ref\}`(ch\d+-ex\d+)` \| ([^|]+?) \| (\d) \| ([^|]+?) \|", section(GUIDE, "Index of exercises"),
                      re.M)
    exercises = chapter_exercises()
    assert len(exercises) >= 16
    assert [label for label, *_ in rows] == [label for _, label, _ in exercises]
    for (label, title, chapter, _), (stem, label_, title_) in zip(rows, exercises):
        assert chapter == re.match(r"ch(\d+)", stem).group(1), label
        assert title_ is None or title == title_, (label, title, title_)


def test_the_answer_key_pastes_one_answer_per_exercise_from_its_chapter():
    pasted = re.findall(r"\{glue:text\}`\./([\w-]+)\.md::(\w+):s`", section(GUIDE, "Answer key"))
    wanted = [(stem, f"{label.replace('-', '_')}_answer") for stem, label, _ in chapter_exercises()]
    assert pasted == wanted
    # Each answer sits beside the reference to its exercise.
    for stem, key in wanted:
        label = key.removesuffix("_answer").replace("_", "-")
        assert f"{{ref}}`{label}`: {{glue:text}}`./{stem}.md::{key}:s`" in GUIDE


def pasted_from_other_pages() -> list[tuple[str, str]]:
    """(page stem, key) of every value the guide pastes from another page. The path starts with ./ (a path
    relative to this page, with its suffix, as myst-nb needs) and the role names a format, since myst-nb splits
    the format off at the last colon."""
    roles = re.findall(r"\{glue:text\}`([^`]*::[^`]*)`", GUIDE)
    assert all(re.fullmatch(r"\./[\w-]+\.md::\w+:[^:`]+", role) for role in roles), roles
    return [tuple(re.match(r"\./([\w-]+)\.md::(\w+):", role).groups()) for role in roles]


@pytest.mark.slow
def test_every_value_the_guide_pastes_from_a_chapter_is_glued_there():
    from notebooks import executed, glued

    pasted = pasted_from_other_pages()
    missing = []
    for stem in sorted({stem for stem, _ in pasted}):
        have = glued(executed(f"{stem}.md"))
        missing += [f"{stem}::{key}" for s, key in pasted if s == stem and (key not in have or not str(have[key]).strip())]
    assert missing == []


def test_every_writing_exercise_has_a_rubric():
    index = section(GUIDE, "Index of exercises")
    writing = re.findall(r"^\| \{ref\}`(ch\d+-ex\d+)` \|[^|]+\|[^|]+\| writing \|", index, re.M)
    assert len(writing) >= 3
    rubrics = section(GUIDE, "Rubrics for the writing exercises")
    for label in writing:
        assert re.search(rf"^\*\*\{{ref\}}`{label}`[^\n]*\n\n\| Criterion \| Secure \| Developing \| Not yet \|", rubrics, re.M), label
    # Exercises a chapter marks as interpretation are writing ones.
    for stem, label, title in chapter_exercises():
        if title and title.lower().startswith("interpretation"):
            assert label in writing, label


# Lesson plans ---------------------------------------------------------------------------------------------------

def lessons() -> dict[str, list[tuple[int, int]]]:
    plans = section(GUIDE, "Lesson plans: 50 minutes each")
    found = {}
    for title, body in re.findall(r"^### (.+?)\n(.*?)(?=^### |\Z)", plans, re.M | re.S):
        found[title] = [(int(a), int(b)) for a, b in re.findall(r"^- \*\*(\d+)–(\d+) min\*\*", body, re.M)]
    return found


def test_every_lesson_fills_fifty_minutes_without_gaps():
    found = lessons()
    assert len(found) >= 10
    for title, slots in found.items():
        assert slots and slots[0][0] == 0 and slots[-1][1] == 50, title
        assert all(a < b for a, b in slots), title
        assert all(prev[1] == nxt[0] for prev, nxt in zip(slots, slots[1:])), title


def test_long_chapters_take_two_lessons_and_the_fact_check_one():
    titles = list(lessons())
    for n in (1, 2, 3, 4):
        assert sum(f"Chapter {n}," in t for t in titles) == 2, n
    assert any("fact-check appendix" in t for t in titles)


def test_the_lesson_plans_reference_each_chapters_exercises():
    plans = section(GUIDE, "Lesson plans: 50 minutes each")
    referenced = set(re.findall(r"\{ref\}`(ch\d+-ex\d+)`", plans))
    exercises = {label for _, label, _ in chapter_exercises()}
    assert referenced <= exercises
    assert referenced == exercises  # every exercise has a place in a lesson, in class or as homework


# The chart-reading track -----------------------------------------------------------------------------------------

def test_the_chart_track_asks_four_or_five_questions_per_chapter_each_with_a_hidden_model_answer():
    track = section(GUIDE, "A chart-reading track without code")
    parts = re.findall(r"^### (.+?)\n(.*?)(?=^### |\Z)", track, re.M | re.S)
    titles = [t for t, _ in parts]
    assert [t.split(" ·")[0] for t in titles] == ["Chapter 1", "Chapter 2", "Chapter 3", "Chapter 4", "Chapter 5",
                                                    "The fact-check appendix"]
    for title, body in parts:
        questions = re.findall(r"^\*\*(\d)\.\*\* ", body, re.M)
        answers = re.findall(r"^:::\{admonition\} Model answer\n:class: dropdown\n", body, re.M)
        assert 4 <= len(questions) <= 5 and len(answers) == len(questions), title
        assert questions == [str(i) for i in range(1, len(questions) + 1)], title
        chapter = re.match(r"Chapter (\d)", title)
        if chapter:  # a chapter's questions are about that chapter's figures
            figures = re.findall(r"\{numref\}`(fig-[\w-]+)`", body)
            assert figures and all(f.startswith(f"fig-ch{chapter.group(1)}-") for f in figures), title


def model_answers() -> list[str]:
    return re.findall(r"^:::\{admonition\} Model answer\n:class: dropdown\n(.*?)^:::$", GUIDE, re.M | re.S)


def test_model_answers_type_no_number_that_the_data_could_change():
    """Numbers in a model answer are pasted from code; typed digits are only the protocol's fixed facts, the
    questions' own figures, years and dates of events."""
    allowed = [
        r"\{(?:glue:text|numref|ref)\}`[^`]*`",       # pasted numbers and references
        r"\b(?:19|20)\d\d\b",                           # years
        r"\b\d{1,2} (?:January|April|May|June|July|August|September|December)\b",  # dates of events
        r"\b2,016\b", r"\b144\b", r"\b100%", r"\b95%", r"\b13–15%", r"\b30 days\b", r"\b7-day\b", r"\b90-day\b",
        r"\b0\b", r"\b2\b",                            # lag 0; "2 multiplied by itself"
        r"\]\([^)]*\)", r"Chapter \d", r"\bS\d+\b", r"\b10-year\b",  # links, machine models, the 10-year yield
    ]
    for answer in model_answers():
        stripped = answer
        for pattern in allowed:
            stripped = re.sub(pattern, "", stripped)
        assert re.findall(r"\d", stripped) == [], answer[:120]


# Cross-references, addresses, wording ----------------------------------------------------------------------------

def test_every_reference_in_the_guide_and_the_glossary_points_somewhere():
    labels, names = labels_in_book(), names_in_book()
    for text in (GUIDE, GLOSSARY):
        refs = set(re.findall(r"\{ref\}`([^`<]+)`", text)) | set(re.findall(r"\]\(([\w-]+)\)", text))
        refs -= {stem for stem in PAGES}  # [text](page) links a page
        assert sorted(refs - labels) == []
        assert sorted(set(re.findall(r"\{numref\}`([^`]+)`", text)) - names) == []


def test_no_placeholder_address_and_no_doubled_exercise_word():
    for text in (GUIDE, GLOSSARY):
        assert "<repository-url>" not in text and "repository-url" not in text
        assert not re.search(r"exercise\s+\{ref\}", text, re.I)
        assert not re.search(r"exercise exercise", text, re.I)
    # The addresses come from _config.yml, through substitutions, and never inside code blocks.
    assert "{{ pdf_link }}" in GUIDE and "{{ site_link }}" in GUIDE and "{{ repository_link }}" in GUIDE
    for block in re.findall(r"^```(?:bash|python)\n(.*?)^```", GUIDE, re.M | re.S):
        assert "{{" not in block and "http" not in block


def test_the_no_install_route_comes_first():
    headings = re.findall(r"^## (.+)$", GUIDE, re.M)
    assert headings[0] == "Start without installing anything"
    assert headings.index("Handing out the notebooks") > headings.index("Answer key")


def test_no_command_the_environment_cannot_run():
    # JupyterLab is not among the pinned requirements: the guide installs it before starting it.
    requirements = (BOOK.parent / "requirements.txt").read_text().lower()
    if "jupyterlab" not in requirements:
        # The kit's students install it with the kit's requirements; the book's own environment, from the repository, first.
        from_repository = GUIDE[GUIDE.index("**From the repository.**"):]
        assert from_repository.index("pip install jupyterlab") < from_repository.index(".venv/bin/jupyter lab")
    kit_requirements = GUIDE[GUIDE.index("**A lab with internet"):GUIDE.index("**A lab without internet.**")]
    assert kit_requirements.index("pip install -r requirements.txt") < kit_requirements.index(".venv/bin/jupyter lab")


# The guide's own numbers, against an independent computation from data/ ------------------------------------------

@pytest.fixture(scope="module")
def g():
    from notebooks import executed, glued

    return glued(executed("teachers.md"))


@pytest.mark.slow
def test_chart_track_numbers(g):
    from scipy import stats

    from minebook import load

    shares = load("cbeci_country_shares").pivot(index="month", columns="country", values="share_pct")
    assert g["teach_ch2_china_april"] == shares.loc["2021-04-01", "China"]
    assert g["teach_ch2_last_majority"] == shares.index[shares["China"] > 50].max().strftime("%B %Y")
    assert g["teach_fc_kz_share_jan22"] == shares.loc["2022-01-01", "Kazakhstan"]
    aug = shares.loc["2021-08-01"].sort_values(ascending=False)
    assert g["teach_fc_leader_aug21"] == aug.index[0]
    assert g["teach_fc_kz_rank_aug21"] == ["first", "second", "third", "fourth"][list(aug.index).index("Kazakhstan")]

    price = load("btc_daily").set_index("date")["price_usd"]
    top = price["2021-04"].idxmax()
    assert g["teach_fc_two_month_fall_pct"] == pytest.approx(100 * (1 - price[top:top + pd.DateOffset(months=2)].min() / price[top]))
    assert g["teach_fc_to_july_fall_pct"] == pytest.approx(100 * (1 - price[top:"2021-07-31"].min() / price[top]))
    assert g["teach_fc_two_month_fall_pct"] < g["teach_fc_to_july_fall_pct"]

    mix = load("electricity_share_by_source")
    kz = mix[(mix["country"] == "Kazakhstan") & (mix["year"] == g["teach_ch3_mix_year"])].set_index("source")["share_pct"]
    assert g["teach_ch3_oil_pct"] == kz["Oil"] < 1

    # The in-class Poisson prompt, by the normal approximation and by scipy's exact distribution.
    assert g["teach_prompt_z"] == pytest.approx((124 - 144) / 12)
    assert g["teach_prompt_p_pct"] == pytest.approx(100 * stats.poisson.cdf(124, 144))
    assert g["teach_prompt_attempts_18"] == 262_144


@pytest.mark.slow
def test_the_abnormal_return_by_hand_adds_up(g):
    """Lesson 8: alpha + beta x Nasdaq = expected; actual - expected = abnormal; and beta from a fresh fit."""
    from minebook import load

    assert g["teach_prompt_alpha_pct"] + g["teach_prompt_beta"] * g["teach_prompt_jan5_nasdaq_pct"] == pytest.approx(
        g["teach_prompt_jan5_expected_pct"])
    assert g["teach_prompt_jan5_btc_pct"] - g["teach_prompt_jan5_expected_pct"] == pytest.approx(
        g["teach_prompt_jan5_abnormal_pct"])
    nasdaq = load("fred_nasdaqcom").set_index("date")["nasdaq_composite"].dropna()
    btc = load("btc_daily").set_index("date")["price_usd"].reindex(nasdaq.index)
    r = pd.DataFrame({"b": np.log(btc).diff(), "n": np.log(nasdaq).diff()}).dropna()
    first = r.index.get_indexer([pd.Timestamp("2022-01-05")], method="bfill")[0]
    est = r.iloc[first - 260:first - 10]
    beta = np.polyfit(est["n"], est["b"], 1)[0]
    assert g["teach_prompt_beta"] == pytest.approx(beta)
    assert g["teach_prompt_jan5_nasdaq_pct"] == pytest.approx(100 * r.loc["2022-01-05", "n"])


@pytest.mark.slow
def test_chapter_four_correlations_match_the_chapter(g):
    from notebooks import executed, glued

    ch4 = glued(executed("ch4-what-moves-the-price.md"))
    for year in (2021, 2022):
        if f"ch4_corr_nasdaq_{year}" in ch4:
            assert g[f"teach_ch4_corr_{year}"] == pytest.approx(ch4[f"ch4_corr_nasdaq_{year}"])
    assert g["teach_ch4_corr_2020"] > g["teach_ch4_corr_2023"]


# The editor's review of the analysis pages ------------------------------------------------------------------------

NEW_TERMS = ["alpha", "Fisher's z", "sigma", "least-squares line", "statistical significance", "chi-squared distribution",
             "fat tails", "rolling correlation", "FRED"]


def test_the_glossary_defines_the_terms_the_analysis_pages_use():
    entries = glossary_entries()
    assert [t for t in NEW_TERMS if t not in entries] == []
    assert "α" in entries["alpha"] and "intercept" in entries["alpha"] and "drift" in entries["alpha"]
    assert "σ" in entries["sigma"] and "standard deviation" in entries["sigma"]
    # The market model names its intercept, bitcoin's average daily drift in the fitting window.
    assert "α" in entries["market model"] and "drift" in entries["market model"]
    # The Fed sets a target range; the book's series is the effective rate (FRED's DFF).
    assert "target range" in entries["federal funds rate"] and "effective rate" in entries["federal funds rate"]
    assert "this is the rate it raised" not in entries["federal funds rate"]
    import json

    package = json.loads((BOOK.parent / "data" / "datapackage.json").read_text())
    dff = next(r for r in package["resources"] if r["name"] == "fred_dff")
    assert dff["title"].startswith("Effective federal funds rate")


def test_each_glossary_entry_points_to_the_chapter_that_first_links_it():
    """CBECI and pool said "See Chapter 2" but Chapter 1 links them first: the pointer must name that chapter."""
    entries = glossary_entries()
    order = ["ch1-how-mining-works", "ch2-china-exodus", "ch3-kazakhstan", "ch4-what-moves-the-price", "ch5-after-the-blackout",
             "appendix-fact-check"]
    label = {"appendix-fact-check": "fact-check"}
    first = {}
    for stem in order:
        for role in re.findall(r"\{term\}`([^`]+)`", PAGES[stem]):
            target = re.search(r"<([^>]+)>\s*$", role)
            first.setdefault((target.group(1) if target else role).strip().lower(), label.get(stem, stem[:3]))
    wrong = []
    for term, definition in entries.items():
        pointed = re.findall(r"\]\(([\w-]+)\)", definition.split(" See [", 1)[1])
        if term.lower() in first and first[term.lower()] not in pointed:
            wrong.append((term, first[term.lower()], pointed))
    assert wrong == []
    assert "[Chapter 1](ch1)" in entries["CBECI"] and "[Chapter 1](ch1)" in entries["pool"]


def _prose(text: str) -> str:
    """The page without its code cells."""
    return re.sub(r"^```\{code-cell\}.*?^```$", "", text, flags=re.M | re.S)


def test_the_guide_links_jargon_to_the_glossary_at_first_use():
    prose = " ".join(_prose(GUIDE).split())
    for words, role in (("hashprice", "{term}`hashprice`"), ("one-sided bound", "{term}`one-sided bound`"),
                        ("abnormal return", "{term}`abnormal return`"),
                        ("95% interval", "{term}`95% interval <confidence interval>`"),
                        ("rolling correlation", "{term}`rolling correlations <rolling correlation>`")):
        first = prose.lower().index(words.lower())
        assert prose.rfind("{term}`", 0, first + 1) >= first - len(role) and role in prose, words


def test_no_wording_the_review_found_wrong_comes_back():
    text = " ".join(GUIDE.split())
    for wrong in ("print only the pages with the questions", "(two sentences for a non-specialist)",
                  "Which event in the book is a precedent", "come just before the fall",
                  "right on the data public at the time", "than the Nasdaq and ordinary noise explain",
                  "teach_ch3_shutdown_lo_pct:+.0f", "teach_ch3_kz_first_ehs:.1f"):
        assert wrong not in text, wrong
    # Fact-check question 3: a precedent for hash rate, none for the price (Chapter 4: not a control).
    answer = text[text.index("Is there one in the book?"):][:1200]
    assert "For hash rate, yes" in answer and "For the price, which is what she was speaking about, no" in answer
    # The rubric asks for what the exercise asks.
    exercise = " ".join(PAGES["ch3-kazakhstan"].split())
    assert "write a two- or three-sentence correction" in exercise and "(two or three sentences for" in text


@pytest.mark.slow
def test_the_corrected_numbers_of_the_chart_track(g):
    from minebook import load

    btc = load("btc_daily").set_index("date")
    # Chapter 2, question 3: the 7-day mean fell from its 13 May peak before the State Council's statement of 21 May.
    h7 = btc.loc["2021", "hashrate_ehs"].rolling(7).mean()
    peak_day = h7[:"2021-05-31"].idxmax()
    assert peak_day == pd.Timestamp("2021-05-13") and round(h7[peak_day]) == 181
    assert g["teach_ch2_lead_days"] == "eight" and g["teach_ch2_statement_date"] == "21 May 2021"
    assert g["teach_ch2_statement_ehs"] == pytest.approx(h7["2021-05-21"]) and round(h7["2021-05-21"]) == 146
    assert g["teach_ch2_sichuan_date"] == "18 June 2021" and g["teach_ch2_sichuan_ehs"] == pytest.approx(h7["2021-06-18"])
    trough = h7["2021-05-15":"2021-08-31"].min()
    assert h7["2021-06-18"] - trough > h7[peak_day] - h7["2021-05-21"]   # "deepened after Sichuan's order"

    # Chapter 3, question 1: 27.3 / 1.26 rounds to the fold printed (27.3 / 1.3 would give 21).
    kz = load("cbeci_country_shares").query("country == 'Kazakhstan'")["hashrate_ehs"]
    assert round(round(kz.max(), 1) / round(kz.iloc[0], 2)) == round(g["teach_ch3_kz_fold"]) == 22

    # Chapter 4, question 5: lag 0 apart, as the chapter counts: 3 of the other 24 bars, 1.2 expected by chance.
    weekly = pd.DataFrame({"p": btc["price_usd"].resample("W-SUN").last(),
                           "h": btc["hashrate_ehs"].rolling(7).mean().resample("W-SUN").last()})
    d = np.log(weekly.loc["2016":]).diff().dropna()
    band = 1.96 / np.sqrt(len(d))
    ccf = {k: np.corrcoef(d["p"].iloc[max(0, -k):len(d) - max(0, k)],
                          d["h"].iloc[max(0, k):len(d) - max(0, -k)])[0, 1] for k in range(-12, 13)}
    outside = sum(abs(c) > band for k, c in ccf.items() if k != 0)
    assert abs(ccf[0]) > band and g["teach_ch4_ccf_n_outside"] == outside
    assert g["teach_ch4_ccf_outside"].startswith(["none", "one", "two", "three", "four"][outside] + " of the other 24")
    assert g["teach_ch4_ccf_expected"] == pytest.approx(1.2)


@pytest.mark.slow
def test_with_calendar_scaled_noise_fewer_event_windows_pass(g):
    """Chapter 4, question 4: an independent market-model fit, errors scaled by the calendar days each return spans."""
    from minebook import load

    nasdaq = load("fred_nasdaqcom").set_index("date")["nasdaq_composite"].dropna()
    btc = load("btc_daily").set_index("date")["price_usd"].reindex(nasdaq.index)
    r = pd.DataFrame({"b": np.log(btc).diff(), "n": np.log(nasdaq).diff()}).dropna()
    span = r.index.to_series().diff().dt.days.fillna(1)
    windows = {"Kazakh": ("2022-01-05", "2022-01-07"), "Xinjiang": ("2021-04-16", "2021-04-19"),
               "State Council": ("2021-05-21", "2021-05-21"), "Sichuan": ("2021-06-18", "2021-06-21")}
    plain, calendar = [], []
    for name, (a, b) in windows.items():
        first = r.index.get_indexer([pd.Timestamp(a)], method="bfill")[0]
        est = r.iloc[first - 260:first - 10]
        slope, intercept = np.polyfit(est["n"], est["b"], 1)
        resid = est["b"] - intercept - slope * est["n"]
        win = r.loc[a:b]
        car = (win["b"] - intercept - slope * win["n"]).sum()
        if car / (resid.std(ddof=2) * np.sqrt(len(win))) < -1.96:
            plain.append(name)
        per_day = (resid ** 2 / span[est.index]).sum() / (len(est) - 2)
        if car / np.sqrt(per_day * span[win.index].sum()) < -1.96:
            calendar.append(name)
    assert len(plain) == 3 and len(calendar) == 2 and set(calendar) < set(plain)
    assert g["teach_ch4_n_beyond"] == "Three of the four" and g["teach_ch4_n_beyond_calendar"] == 2
    assert g["teach_ch4_calendar_text"].startswith("only two still pass: ")
