"""The one registry of sources: declared once, used by fetch, derive, the data appendix and the tests.

`url` is where `make data` downloads the file; `homepage` is the page a reader can open;
`mirror` names the file(s) under ../shared/sources that a local mirror serves at the URL's path.
Third-party copies are fetched from the exact commit they were published at, so a refresh is
reproducible; the publisher is still the original one, and is what the book cites.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from . import derive


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless types: date, datetime, integer, number, string
    description: str
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    required: bool = True


@dataclass(frozen=True)
class Licence:
    name: str
    title: str
    path: str


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    publisher: str
    url: str
    homepage: str
    licence: Licence
    citation: str
    mirror: tuple[str, ...]
    parse: Callable[[bytes], pd.DataFrame]
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    description: str
    caveat: str = ""
    min_rows: int = 1
    curated: bool = False  # a cited table kept in minebook/facts, not downloaded

    @property
    def time_field(self) -> str | None:
        for f in self.fields:
            if f.type in ("date", "datetime") and f.name in self.primary_key:
                return f.name
        return None


CC_BY_NC = Licence("CC-BY-NC-4.0", "Creative Commons Attribution-NonCommercial 4.0", "https://creativecommons.org/licenses/by-nc/4.0/")
CC_BY_NC_SA = Licence("CC-BY-NC-SA-4.0", "Creative Commons Attribution-NonCommercial-ShareAlike 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/")
CC_BY = Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/")
CC0 = Licence("CC0-1.0", "Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
US_PD = Licence("US-PD", "Public domain (U.S. government work); citation requested", "https://www.usa.gov/government-copyright")
FRED_COPYRIGHT = Licence("FRED-copyrighted", "Copyrighted series redistributed by FRED; permission needed to republish", "https://fred.stlouisfed.org/legal/")
BLOCKCHAIN_COM = Licence("Blockchain.com-terms", "Blockchain.com terms of service; no open licence stated", "https://www.blockchain.com/legal/terms")
F2POOL = Licence("F2Pool-web", "F2Pool web content; no licence stated", "https://www.f2pool.com/")
CITED_FACTS = Licence("CC-BY-4.0", "This book's own cited table (Creative Commons Attribution 4.0)", "https://creativecommons.org/licenses/by/4.0/")

COINMETRICS_CITE = "Coin Metrics, Community Network Data (csv/btc.csv), https://coinmetrics.io/community-network-data/"
CBECI_CITE = "Cambridge Centre for Alternative Finance, Cambridge Bitcoin Electricity Consumption Index, https://ccaf.io/cbeci"
BLOCKCHAIN_CITE = "Blockchain.com, Charts, https://www.blockchain.com/explorer/charts"
RAW = "https://raw.githubusercontent.com"


def _cited_table(name: str, title: str, parse, fields: tuple, primary_key: tuple, description: str,
                 min_rows: int) -> Source:
    """One of the book's own cited tables, kept in minebook/facts: every row names the page it comes from."""
    return Source(
        name=name, title=title, publisher="This book, from the news reports and official pages cited row by row",
        url="", homepage="", licence=CITED_FACTS,
        citation="Compiled for this book; each row cites its own source (source_url).", mirror=(), parse=parse,
        fields=fields, primary_key=primary_key, description=description, curated=True, min_rows=min_rows,
    )


FRED_GAPS = "days FRED marks as missing are dropped, not filled."   # said of every FRED series


def _fred(series: str, column: str, name: str, title: str, unit: str, description: str, licence: Licence,
          publisher: str, lo: float, hi: float) -> Source:
    return Source(
        name=f"fred_{series.lower()}",
        title=f"{name} (FRED {series})",
        publisher=f"{publisher}, via FRED, Federal Reserve Bank of St. Louis",
        url=f"https://fred.stlouisfed.org/graph/fredgraph.csv?id={series}",
        homepage=f"https://fred.stlouisfed.org/series/{series}",
        licence=licence,
        citation=f"{publisher}, {title} [{series}], retrieved from FRED, Federal Reserve Bank of St. Louis; https://fred.stlouisfed.org/series/{series}",
        mirror=(f"fred/{series}*.csv",),  # every copy the mirror holds; see minebook/mirror.py
        parse=derive.fred_series(series, column),
        fields=(
            Field("date", "date", "Observation date (market days only; holidays have no row)"),
            Field(column, "number", description, unit, lo, hi),
        ),
        primary_key=("date",),
        description=f"{name}, daily; {FRED_GAPS}",
        min_rows=5,
    )


SOURCES: tuple[Source, ...] = (
    Source(
        name="btc_daily",
        title="Bitcoin network and market, daily",
        publisher="Coin Metrics",
        url=f"{RAW}/coinmetrics/data/master/csv/btc.csv",
        homepage="https://coinmetrics.io/community-network-data/",
        licence=CC_BY_NC,
        citation=COINMETRICS_CITE,
        mirror=("coinmetrics/btc_cm_community_full_*.csv",),  # every full copy; the newest serves (minebook/mirror.py)
        parse=derive.coinmetrics_daily,
        fields=(
            Field("date", "date", "UTC day"),
            Field("price_usd", "number", "Coin Metrics reference price at the end of the UTC day", "USD", 0.01, 1e7, required=False),
            Field("hashrate_ehs", "number", "Mean network hash rate inferred from blocks and difficulty (HashRate / 1e6)", "EH/s", 0, 1e5),
            Field("blocks", "integer", "Blocks mined that UTC day, by block timestamp (BlkCnt)", "blocks/day", 0, 1000),
            Field("issuance_btc", "number", "New coins issued that day: the block subsidy (IssTotNtv)", "BTC", 0, 1e5),
            Field("issuance_usd", "number", "Value of that issuance (IssTotUSD)", "USD", 0, 1e10, required=False),
            Field("fees_btc", "number", "Transaction fees paid that day (FeeTotNtv)", "BTC", 0, 1e4),
            Field("fees_usd_computed", "number", "Fees in USD computed here as fees_btc x price_usd (not a Coin Metrics metric)", "USD", 0, 1e10, required=False),
        ),
        primary_key=("date",),
        description="Daily price, hash rate, block count, issuance and fees from 2010 to the last complete day.",
        caveat="HashRate is itself inferred from difficulty and block counts, so it is noisy day to day.",
        min_rows=10,
    ),
    Source(
        name="btc_difficulty_daily",
        title="Bitcoin mining difficulty, daily mean",
        publisher="Coin Metrics",
        url=f"{RAW}/NikolaMilosa/SIAP/fe497cd7a09a857f7160508fe3dbd6e4eb53e7c5/data/btc.csv",
        homepage="https://coinmetrics.io/community-network-data/",
        licence=CC_BY_NC,
        citation=COINMETRICS_CITE + " (DiffMean, from a 2023-02 copy of the file)",
        mirror=("coinmetrics/btc_cm_subset_via_SIAP_2009-01-03_2023-02-26.csv",),
        parse=derive.coinmetrics_difficulty,
        fields=(
            Field("date", "date", "UTC day"),
            Field("difficulty", "number", "Mean difficulty of the day's blocks (DiffMean); a retarget day blends old and new", "dimensionless", 1, 1e16),
        ),
        primary_key=("date",),
        description="Daily mean difficulty to 2023-02; Coin Metrics later dropped DiffMean from its free file.",
        caveat="This copy filled gaps with 0; zeros are dropped here as gaps.",
        min_rows=10,
    ),
    Source(
        name="bc_difficulty_daily",
        title="Bitcoin difficulty, daily (Blockchain.com)",
        publisher="Blockchain.com",
        url=f"{RAW}/blockchain-energy-labels/bitcoin/f16535a6b1c5e62fd1d89b318f7158a9cd2e5c29/data/bitcoin-1year-miner-difficulty.csv",
        homepage="https://www.blockchain.com/explorer/charts/difficulty",
        licence=BLOCKCHAIN_COM,
        citation=BLOCKCHAIN_CITE + "/difficulty",
        mirror=("blockchain_com/bc_difficulty_daily_2021-10-08_2022-10-07.csv",),
        parse=derive.blockchain_series("difficulty", "difficulty"),
        fields=(
            Field("date", "date", "UTC day (export stamps shifted to UTC)"),
            Field("difficulty", "number", "Daily difficulty; retarget days show a blend", "dimensionless", 1, 1e16),
        ),
        primary_key=("date",),
        description="One year of daily difficulty around the January 2022 blackout.",
        min_rows=10,
    ),
    Source(
        name="bc_difficulty_points",
        title="Bitcoin difficulty, every fourth day (Blockchain.com)",
        publisher="Blockchain.com",
        url=f"{RAW}/danieleamato99/pv-mining-sim/1d853ccadffeb61fb9a9c102da9d26dd11a843da/data/difficulty.json",
        homepage="https://www.blockchain.com/explorer/charts/difficulty",
        licence=BLOCKCHAIN_COM,
        citation=BLOCKCHAIN_CITE + "/difficulty",
        mirror=("blockchain_com/bc_difficulty_4-day-points_2009-01-03_2026-01-01.json",),
        parse=derive.blockchain_points("difficulty", "difficulty"),
        fields=(
            Field("date", "date", "UTC day of the point (one every four days)"),
            Field("difficulty", "number", "That day's difficulty, not smoothed; a retarget day shows a blend", "dimensionless", 1, 1e16),
        ),
        primary_key=("date",),
        description="Difficulty over the whole history, one point every four days, to the newest date of any difficulty series here.",
        caveat="The site's export for the whole history keeps one day in four; its zeros (no value) are dropped as gaps.",
        min_rows=10,
    ),
    Source(
        name="bc_hashrate_daily",
        title="Bitcoin hash rate, daily estimate (Blockchain.com)",
        publisher="Blockchain.com",
        url=f"{RAW}/tynanpurdy/cryptocarbons/2fa60027234ad5dfda0f923fadc13f752a84f131/data/blockchain-dot-com-hash-rate.json",
        homepage="https://www.blockchain.com/explorer/charts/hash-rate",
        licence=BLOCKCHAIN_COM,
        citation=BLOCKCHAIN_CITE + "/hash-rate",
        mirror=("blockchain_com/bc_hash-rate_daily_2020-07-15_2021-07-14.csv",),
        parse=derive.blockchain_series("hash-rate", "hashrate_ehs", 1e-6),
        fields=(
            Field("date", "date", "UTC day (export stamps shifted to UTC)"),
            Field("hashrate_ehs", "number", "Raw daily hash-rate estimate, not smoothed", "EH/s", 0, 1e5),
        ),
        primary_key=("date",),
        description="A second estimate of daily hash rate through the China exodus; it rests on the same blocks as Coin Metrics', so the two are one measurement read twice.",
        min_rows=10,
    ),
    Source(
        name="bc_miners_revenue_daily",
        title="Miners' revenue, daily (Blockchain.com)",
        publisher="Blockchain.com",
        url=f"{RAW}/blockchain-energy-labels/bitcoin/f16535a6b1c5e62fd1d89b318f7158a9cd2e5c29/data/bitcoin-1year-miners-revenue.csv",
        homepage="https://www.blockchain.com/explorer/charts/miners-revenue",
        licence=BLOCKCHAIN_COM,
        citation=BLOCKCHAIN_CITE + "/miners-revenue",
        mirror=("blockchain_com/bc_miners-revenue_daily_2021-10-08_2022-10-07.csv",),
        parse=derive.blockchain_series("miners-revenue", "miners_revenue_usd"),
        fields=(
            Field("date", "date", "UTC day (export stamps shifted to UTC)"),
            Field("miners_revenue_usd", "number", "Block subsidy plus fees, valued at Blockchain.com's daily price", "USD/day", 0, 1e10),
        ),
        primary_key=("date",),
        description="Miners' revenue per day, October 2021 to October 2022.",
        min_rows=10,
    ),
    Source(
        name="cbeci_country_shares",
        title="Bitcoin mining map: share of hash rate by country",
        publisher="Cambridge Centre for Alternative Finance (CBECI)",
        url="https://ccaf.io/cbeci/api/v1.2.0/download/mining_countries",
        homepage="https://ccaf.io/cbeci/mining_map",
        licence=CC_BY_NC_SA,
        citation=CBECI_CITE + "/mining_map",
        mirror=("cbeci/cbeci_mining_countries_2019-09_2022-01.csv",),
        parse=derive.cbeci_countries,
        fields=(
            Field("month", "date", "Month (first day)"),
            Field("country", "string", "Country as CBECI reports it, shortened (Mainland China -> China, Russian Federation -> Russia)"),
            Field("share_pct", "number", "Average share of global hash rate that month", "%", 0, 100),
            Field("hashrate_ehs", "number", "Average hash rate attributed to the country", "EH/s", 0, 1e4),
        ),
        primary_key=("month", "country"),
        description="Monthly country shares from geolocated IP addresses of pool connections, Sep 2019 to Jan 2022.",
        caveat="IP geolocation: VPNs and proxies move hash rate to Germany, Ireland or 'Other' (CBECI marks them *).",
        min_rows=10,
    ),
    Source(
        name="cbeci_consumption",
        title="Bitcoin's annualised electricity consumption (CBECI best guess)",
        publisher="Cambridge Centre for Alternative Finance (CBECI)",
        url=f"{RAW}/dataalways/energy-adjusted-cbeci/5c73825a48b035a3d22f2668571b5d9685faa4b9/datasets/cbeci-annualized-consumption.csv",
        homepage="https://ccaf.io/cbeci/index",
        licence=CC_BY_NC_SA,
        citation=CBECI_CITE,
        mirror=("cbeci/cbeci_annualised_consumption_guess_by_price_2010-07-18_2023-09-02.csv",),
        parse=derive.cbeci_consumption,
        fields=(
            Field("date", "date", "UTC day"),
            Field("consumption_twh_per_year", "number", "Best-guess annualised consumption at an electricity price of USD 0.05/kWh", "TWh/yr", 0, 1000),
        ),
        primary_key=("date",),
        description="CBECI's headline series (the USD 0.05/kWh column), as of CBECI's 2023 model.",
        caveat="CBECI revised its model in 2023; values differ from figures quoted in 2021-22.",
        min_rows=10,
    ),
    _fred("NASDAQCOM", "nasdaq_composite", "Nasdaq Composite", "NASDAQ Composite Index", "index points", "Closing value", FRED_COPYRIGHT, "Nasdaq, Inc.", 100, 1e6),
    _fred("SP500", "sp500", "S&P 500", "S&P 500", "index points", "Closing value", FRED_COPYRIGHT, "S&P Dow Jones Indices LLC", 100, 1e6),
    _fred("DGS10", "yield_10y_pct", "10-year Treasury yield", "10-Year Treasury Constant Maturity Rate", "% p.a.", "Market yield", US_PD, "Board of Governors of the Federal Reserve System (US)", -5, 30),
    _fred("DFF", "fed_funds_pct", "Effective federal funds rate", "Federal Funds Effective Rate", "% p.a.", "Effective rate (calendar days)", US_PD, "Board of Governors of the Federal Reserve System (US)", -5, 30),
    _fred("DTWEXBGS", "dollar_index", "Nominal Broad U.S. Dollar Index", "Nominal Broad U.S. Dollar Index", "index, Jan 2006 = 100", "Index level", US_PD, "Board of Governors of the Federal Reserve System (US)", 10, 1000),
    _fred("CBBTCUSD", "btc_usd_coinbase", "Coinbase bitcoin price", "Coinbase Bitcoin price", "USD", "Daily price (calendar days)", FRED_COPYRIGHT, "Coinbase", 0.01, 1e7),
    Source(
        name="block_timestamps",
        title="Bitcoin block header timestamps around April 2021 and January 2022",
        publisher="Bitcoin blockchain, compiled by the bitcoin-data project (0xB10C)",
        url=f"{RAW}/bitcoin-data/block-arrival-times/572fce214c6d2ddff635e41f0dee644a998f06da/qa/block-timestamps/block-timestamps.csv",
        homepage="https://github.com/bitcoin-data/block-arrival-times",
        licence=CC0,
        citation="bitcoin-data/block-arrival-times, qa/block-timestamps/block-timestamps.csv (CC0), https://github.com/bitcoin-data/block-arrival-times",
        # The upstream file holds every block; the local mirror holds two excerpts of it.
        mirror=("blocks/block_header_timestamps_678000-680665_EXCERPT.csv", "blocks/block_header_timestamps_716000-718665_EXCERPT.csv"),
        parse=derive.block_timestamps,
        fields=(
            Field("height", "integer", "Block height", None, 0, 1e7),
            Field("time", "datetime", "Block header timestamp (set by the miner; may run minutes out of order)", "UTC"),
        ),
        primary_key=("height",),
        description="Every block from 6 to 26 April 2021 and from 27 December 2021 to 14 January 2022.",
        caveat="Header times are set by miners and can be out of order by minutes.",
        min_rows=10,
    ),
    Source(
        name="asic_efficiency_cbeci",
        title="Mining hardware efficiency list (CBECI)",
        publisher="Cambridge Centre for Alternative Finance (CBECI)",
        url=f"{RAW}/CambridgeAltFin/ccaf_cbeci_api/bd0f9e23eefe3c2f0a94266bfba6f841100c74e3/server_config/miners.csv",
        homepage="https://ccaf.io/cbeci/index/methodology",
        licence=CC_BY_NC_SA,
        citation=CBECI_CITE + " (hardware list, May 2020)",
        mirror=("hardware/cbeci_miners_efficiency_list_2020-05.csv",),
        parse=derive.cbeci_miners,
        fields=(
            Field("model", "string", "Machine"),
            Field("released", "date", "Release date CCAF assumes"),
            Field("efficiency_j_per_th", "number", "Energy per unit of work", "J/TH", 1, 5000),
        ),
        primary_key=("model",),
        description="ASIC models 2014-2020 with their efficiency; CCAF's CPU/GPU placeholders are left out.",
        min_rows=5,
    ),
    Source(
        name="asic_efficiency_f2pool",
        title="Popular mining devices (F2Pool, March 2020)",
        publisher="F2Pool",
        url=f"{RAW}/mattk8/mining-data/add3c3f802943e0d2c98c64fee81ca8a0de322ea/mining-devices.csv",
        homepage="https://www.f2pool.com/miners",
        licence=F2POOL,
        citation="F2Pool, Mining devices, snapshot of March 2020, https://www.f2pool.com/miners",
        mirror=("hardware/f2pool_mining_devices_2020-03.csv",),
        parse=derive.f2pool_miners,
        fields=(
            Field("vendor", "string", "Manufacturer"),
            Field("model", "string", "Machine"),
            Field("released", "date", "Month of release (first day)"),
            Field("hashrate_ths", "number", "Rated hash rate", "TH/s", 0.1, 1000),
            Field("power_w", "number", "Rated power draw", "W", 10, 20000),
            Field("efficiency_j_per_th", "number", "power_w / hashrate_ths", "J/TH", 1, 5000),
        ),
        primary_key=("vendor", "model", "hashrate_ths"),
        description="SHA-256 machines on sale in March 2020 with rated hash rate and power.",
        min_rows=5,
    ),
    Source(
        name="electricity_share_by_source",
        title="Share of electricity generation by source",
        publisher="Our World in Data (Ember; Energy Institute Statistical Review of World Energy)",
        url=f"{RAW}/CambridgeAltFin/ccaf_cbeci_api/d43217152320ab039e39367cc290ee00c37e5ff3/storage/eth_pow/share-elec-by-source.csv",
        homepage="https://ourworldindata.org/grapher/share-elec-by-source",
        licence=CC_BY,
        citation="Our World in Data, Share of electricity generation by source (Ember; Energy Institute), https://ourworldindata.org/grapher/share-elec-by-source",
        mirror=("energy/owid_share_elec_by_source.csv",),
        parse=derive.owid_share,
        fields=(
            Field("country", "string", "Country"),
            Field("year", "integer", "Year", None, 2010, 2100),
            Field("source", "string", "Generation source"),
            Field("share_pct", "number", "Share of the country's electricity generation", "%", 0, 100),
        ),
        primary_key=("country", "year", "source"),
        description="China, Kazakhstan and the United States, 2010 onward.",
        min_rows=5,
    ),
    Source(
        name="electricity_generation_by_source",
        title="Electricity generation by source",
        publisher="Our World in Data (Ember; Energy Institute Statistical Review of World Energy)",
        url=f"{RAW}/CambridgeAltFin/ccaf_cbeci_api/d43217152320ab039e39367cc290ee00c37e5ff3/storage/eth_pow/electricity-prod-source-stacked.csv",
        homepage="https://ourworldindata.org/grapher/electricity-prod-source-stacked",
        licence=CC_BY,
        citation="Our World in Data, Electricity production by source (Ember; Energy Institute), https://ourworldindata.org/grapher/electricity-prod-source-stacked",
        mirror=("energy/owid_electricity_prod_source_stacked.csv",),
        parse=derive.owid_generation,
        fields=(
            Field("country", "string", "Country"),
            Field("year", "integer", "Year", None, 2010, 2100),
            Field("source", "string", "Generation source"),
            Field("generation_twh", "number", "Electricity generated", "TWh", 0, 1e5),
        ),
        primary_key=("country", "year", "source"),
        description="China, Kazakhstan and the United States, 2010 onward; blank cells are gaps, not zeros.",
        min_rows=5,
    ),
    Source(
        name="electricity_consumption_countries",
        title="Annual net electricity consumption by country (EIA, as compiled by CBECI)",
        publisher="U.S. Energy Information Administration, compiled by CCAF",
        url=f"{RAW}/CambridgeAltFin/ccaf_cbeci_api/ae91a5c02b862934dcbf55d378985322b20c719f/server_config/countries.csv",
        homepage="https://www.eia.gov/international/data/world",
        licence=US_PD,
        citation="U.S. EIA, International Energy Statistics, net electricity consumption, as compiled for CBECI, https://www.eia.gov/international/data/world",
        mirror=("energy/cbeci_countries_annual_electricity_consumption_eia.csv",),
        parse=derive.eia_country_consumption,
        fields=(
            Field("country", "string", "Country"),
            Field("consumption_twh_per_year", "number", "Annual net electricity consumption (reference year not stated; about 2017-2019)", "TWh/yr", 1, 1e5),
            Field("eia_series", "string", "EIA series identifier"),
        ),
        primary_key=("country",),
        description="The mining countries of the CBECI map.",
        caveat="The compilation does not state the reference year.",
        min_rows=3,
    ),
    Source(
        name="us_industrial_electricity_price",
        title="Average retail price of electricity to U.S. industry, monthly",
        publisher="U.S. Energy Information Administration",
        url=f"{RAW}/dataalways/energy-adjusted-cbeci/5c73825a48b035a3d22f2668571b5d9685faa4b9/datasets/Average_retail_price_of_electricity.csv",
        homepage="https://www.eia.gov/electricity/data/browser/",
        licence=US_PD,
        citation="U.S. EIA, Electricity Data Browser, series ELEC.PRICE.US-IND.M, https://www.eia.gov/electricity/data/browser/",
        mirror=("energy/eia_us_average_retail_electricity_price_monthly_2001-01_2023-05.csv",),
        parse=derive.eia_us_industrial_price,
        fields=(
            Field("month", "date", "Month (first day)"),
            Field("price_usd_per_kwh", "number", "Average retail price to industrial customers", "USD/kWh", 0.001, 2),
        ),
        primary_key=("month",),
        description="A benchmark for what a large electricity user pays in the United States.",
        min_rows=5,
    ),
    _cited_table(
        "events", "Dated events: China's 2021 crackdown, Kazakhstan in and after January 2022, the Fed, halvings, spot ETFs",
        derive.events,
        (
            Field("date", "date", "Day of the event (local date where the source gives one)"),
            Field("time_utc", "string", "Time of day in UTC (HH:MM) where the source gives one; blank otherwise", required=False),
            Field("event", "string", "What happened, in our words"),
            Field("label", "string", "A short name for the event, as charts label it"),
            Field("place", "string", "Where"),
            Field("category", "string", "china-crackdown, power-outage, kazakhstan, monetary-policy, halving, market-news (other crypto-market news of the same weeks) or other"),
            Field("outlet", "string", "Who reported or published it"),
            Field("source_title", "string", "Title of the cited page"),
            Field("source_url", "string", "Address of the cited page"),
        ),
        ("date", "event"),
        "Facts that exist only in prose, one cited source per row.",
        min_rows=5,
    ),
    _cited_table(
        "reported_figures", "Figures reported by others: shares, capacities and estimates the open data do not measure",
        derive.reported_figures,
        (
            Field("figure", "string", "A short name for the figure, as the chapters look it up"),
            Field("what", "string", "What the figure is, in our words, with its scope"),
            Field("value", "number", "The figure as the source reports it"),
            Field("unit", "string", "Its unit (percent, MW, TWh ...)"),
            Field("as_of", "string", "The period the figure describes, as the source states it"),
            Field("outlet", "string", "Who published it"),
            Field("source_title", "string", "Title of the cited page"),
            Field("published", "date", "When the cited page was published; blank where the page shows no date", required=False),
            Field("source_url", "string", "Address of the cited page"),
        ),
        ("figure",),
        "Reported, not measured: each figure is the source's, one cited source per row.",
        min_rows=1,
    ),
)

BY_NAME = {s.name: s for s in SOURCES}


def get(name: str) -> Source:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(BY_NAME)}") from None
