"""Prose that cannot contradict its data (issue 18): change the data as a refresh could, in five ways that
would each make a sentence of Chapter 5 false, and prove that each change either changes the words or stops
the build with a named claim. (Chapter 4's own test does the same for a bitcoin that rose on 5 January 2022.)"""
from __future__ import annotations

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from notebooks import BOOK, glued

pytestmark = pytest.mark.slow


def run_with(change: str):
    """Run Chapter 5 with `change` applied to what `load` returns; the glued values, or the failed claim."""
    nb = jupytext.read(BOOK / "ch5-after-the-blackout.md")
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import minebook, pandas as pd\n"
        "_load = minebook.load\n"
        "def _changed(name, *args, **kwargs):\n"
        "    frame = _load(name, *args, **kwargs).copy()\n"
        + "\n".join("    " + line for line in change.strip().splitlines()) + "\n"
        "    return frame\n"
        "minebook.load = _changed\n"))
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}).execute()
    except CellExecutionError as error:
        assert error.ename == "ClaimFailed", str(error)[-1500:]
        return error.evalue            # "the text says '...', but the data no longer support it ..."
    return glued(nb)


def test_a_network_that_shrank_is_never_told_as_grown():
    out = run_with("""
if name == 'btc_daily':
    frame.loc[frame['date'] >= '2023-01-01', 'hashrate_ehs'] *= 0.1
""")
    if isinstance(out, str):   # the difficulty's reading no longer agrees: the build stops, naming it
        assert "agree on how much the network grew" in out
    else:
        assert out["ch5_hr_growth_text"].startswith("shrank to") and "grew" not in out["ch5_hr_growth_text"]


def test_a_halving_that_did_not_halve_stops_the_build():
    out = run_with("""
if name == 'btc_daily':
    frame.loc[frame['date'] > '2024-04-20', 'issuance_btc'] *= 2
""")
    assert isinstance(out, str) and "halved at the halving" in out


def test_fees_that_outgrew_the_subsidy_are_never_called_small():
    out = run_with("""
if name == 'btc_daily':
    frame['fees_btc'] *= 40
    frame['fees_usd_computed'] *= 40
""")
    assert isinstance(out, str) and ("made up far too little" in out or "small part of miners' pay" in out)


def test_a_reported_share_above_the_maps_is_never_told_as_a_fall():
    out = run_with("""
if name == 'reported_figures':
    frame.loc[frame['figure'] == 'hashrate_index_kz_share_2023', 'value'] = 30.0
""")
    assert isinstance(out, str) and "below the map's last reading" in out


def test_a_map_the_united_states_does_not_lead_is_never_told_as_its_lead():
    out = run_with("""
if name == 'cbeci_country_shares':
    last = frame['month'] == frame['month'].max()
    frame.loc[last & (frame['country'] == 'China'), 'share_pct'] = 60.0
""")
    assert isinstance(out, str) and "United States leads" in out
