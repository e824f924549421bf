"""Report 1: Nyckeltal (DOMAIN.md section 5; 004:392-395, 686-708; 000:488, 498, 2270, 2777).

Each figure for the chosen period, split by kön and age group, beside the same period a year
earlier. The figures are computed in key_figure_queries (one aggregate query each); here they are
laid out as tables with their definitions.
"""

from __future__ import annotations

from audit import sources
from audit.reports import board_norms, key_figure_facts, side_by_side
from audit.reports import key_figure_fact_queries as fq
from audit.reports import key_figure_queries as kq
from audit.reports.base import (
    BOARD_AND_MANAGERS,
    Chart,
    Column,
    Period,
    ReportData,
    ReportDefinition,
    ReportParams,
    Table,
)
from audit.reports.figures import GROUP_KEYS, GROUPS, SPLIT_NOTE, comparison_table, pct, ratio
from insatser.models import ClosingReason

# Figures are cited as the board's documents are: the annual report for earlier values, the
# audit for what it asks. DOMAIN.md section 5 and the line references stay in the comments.
ANNUAL = sources.ANNUAL_REPORT
STRATEGY = sources.audit("3.2.3")  # 004:336-346: the strategy's key figures
CLOSING_SOURCE = sources.audit("3.4.3")  # 004:573-576
HOUSEHOLD_RULE = (
    "Hushåll med försörjningsstöd en månad: hushållet har en ansökan för månaden (ej återtagen) med ett beslut "
    "om försörjningsstöd med bifall eller delvis bifall, belopp över 0 kr, som gäller (inte ersatt av ett "
    "rättat beslut). Hushållet räknas efter sökandens kön och ålder. Enhet: ärendets enhet."
)
PAID_RULE = (
    "Utbetalt betyder utbetalt: summan av attesterade utbetalningar som skickats till banken och inte kommit "
    "tillbaka (en returnerad utbetalning räknas inte; betalas den ut på nytt räknas den nya), för ansökningar "
    "som avser periodens månader, hela kronor."
)
AMOUNTS_NOTE = (
    "Belopp som kallas utbetalt är det som faktiskt betalats ut till mottagarnas konton. Beviljat belopp "
    "redovisas för sig och kan vara högre när utbetalningar ännu inte gjorts eller har kommit tillbaka."
)


def _figures(period: Period, unit_id: int | None, *, facts: bool | None = None) -> dict:
    """Every key figure for one period: a fixed number of queries. The figures come from the
    monthly facts on PostgreSQL (made fresh first, in build), else from the live queries, which
    define them (`facts=False` forces those: the tests compare)."""
    hq = fq if (key_figure_facts.available() if facts is None else facts) else kq
    by_reason = hq.closings_by_reason(period, unit_id)
    amounts, paid = hq.money(period, unit_id)
    return {
        "households": hq.households_per_month(period, unit_id),
        "amounts": amounts,
        "paid": paid,
        "long_term": hq.long_term(period, unit_id),
        "waiting": hq.waiting_times(period, unit_id),
        "closings": kq.closings(by_reason),
        "by_reason": by_reason,
        "participants": hq.participants(period, unit_id),
    }


def _household_months(households: dict) -> dict[str, int]:
    """Household-months per group: the sum of the monthly counts (post-aggregation arithmetic)."""
    return {g: sum(month[g] for month in households.values()) for g in GROUP_KEYS}


def _derived(f: dict, months: int) -> dict:
    hm = _household_months(f["households"])
    amounts, lt, cl = f["amounts"], f["long_term"], f["closings"]
    return {
        "average": {g: ratio(hm[g], months, "0.1") for g in GROUP_KEYS},
        "cost_per_household": {g: ratio(amounts["income_support"][g], hm[g]) for g in GROUP_KEYS},
        "long_term_share": {g: pct(lt["long_term"][g], lt["recipients"][g]) for g in GROUP_KEYS},
        "work_or_studies_share": {g: pct(cl["work_or_studies"][g], cl["count"][g]) for g in GROUP_KEYS},
        "mean_wait": {g: ratio(f["waiting"]["mean"][g], 1, "0.1") if f["waiting"]["mean"][g] is not None else None
                      for g in GROUP_KEYS},
    }


def _months_table(period: Period, previous: Period, now: dict, before: dict) -> Table:
    rows = []
    for i, month in enumerate(period.months()):
        rows.append({
            "month": f"{month:%Y-%m}",
            "current": now["households"][f"m{i}"]["total"],
            "previous": before["households"].get(f"m{i}", {}).get("total"),
        })
    return Table(
        key="households_per_month",
        title="Hushåll med försörjningsstöd per månad",
        columns=[Column("month", "Månad"), Column("current", period.label, "int"),
                 Column("previous", f"Samma månad {previous.label}", "int")],
        rows=rows,
        definition=f"{HOUSEHOLD_RULE} Antal olika hushåll per kalendermånad ({ANNUAL}).",
    )


CLOSING_RULE = (
    "Avslut av deltagande som koordinatorn föreslagit och handläggaren bekräftat (båda har avslutat), "
    "räknade på avslutsdatum inom perioden, per kodad avslutsorsak. Enhet: den "
    f"föreslående koordinatorns enhet ({STRATEGY})."
)


def _reason_tables(period: Period, previous: Period, now: dict, before: dict) -> list[Table]:
    zero = dict.fromkeys(GROUP_KEYS, 0)
    compared = [
        {"reason": label, "current": now["by_reason"].get(code, zero)["total"],
         "previous": before["by_reason"].get(code, zero)["total"]}
        for code, label in ClosingReason.choices
    ]
    split = [{"reason": label, **now["by_reason"].get(code, zero)} for code, label in ClosingReason.choices]
    return [
        Table(
            key="closings_by_reason",
            title="Koordinatorns avslut per avslutsorsak",
            columns=[Column("reason", "Avslutsorsak"), Column("current", period.label, "int"),
                     Column("previous", previous.label, "int")],
            rows=compared,
            definition=f"{CLOSING_RULE} Jämförs med samma period året före.",
        ),
        Table(
            key="closings_by_reason_and_group",
            title=f"Koordinatorns avslut per avslutsorsak, kön och ålder ({period.label})",
            columns=[Column("reason", "Avslutsorsak"), *(Column(g.key, g.label, "int") for g in GROUPS)],
            rows=split,
            definition=f"{CLOSING_RULE} {SPLIT_NOTE}",
        ),
    ]


def _months_by_group_table(period: Period, now: dict) -> Table:
    return Table(
        key="households_per_month_by_group",
        title=f"Hushåll med försörjningsstöd per månad, kön och ålder ({period.label})",
        columns=[Column("month", "Månad"), *(Column(g.key, g.label, "int") for g in GROUPS)],
        rows=[{"month": f"{month:%Y-%m}", **now["households"][f"m{i}"]} for i, month in enumerate(period.months())],
        definition=f"{HOUSEHOLD_RULE} ({ANNUAL}). {SPLIT_NOTE}",
    )


def build(params: ReportParams) -> ReportData:
    period, unit_id = params.period, params.unit_id
    previous = period.previous_year()
    if key_figure_facts.available():
        fq.make_fresh(period, previous)  # a late correction is counted before anything is read
    now, before = side_by_side.run(lambda: _figures(period, unit_id), lambda: _figures(previous, unit_id))
    d_now, d_before = _derived(now, len(period.months())), _derived(before, len(previous.months()))

    def compare(key, title, kind, current, prev, definition):
        return comparison_table(key=key, title=title, definition=definition, current=current, previous=prev,
                                kind=kind, period=period, previous_period=previous)

    window = board_norms.norm("LONG_TERM_WINDOW_MONTHS")
    minimum = board_norms.norm("LONG_TERM_MIN_MONTHS")
    im_code = board_norms.norm("INSATS_MATCHNING_UNIT_CODE")
    participation_rule = (
        "Olika personer med minst ett deltagande som pågår någon dag under perioden (från startdatum till "
        "slutdatum, eller till beslutsperiodens slut om deltagandet inte avslutats). Enhet: den enhet som "
        f"utför insatsen ({STRATEGY})."
    )
    tables = [
        _months_table(period, previous, now, before),
        _months_by_group_table(period, now),
        compare("households_average", "Hushåll med försörjningsstöd, genomsnitt per månad", "number",
                d_now["average"], d_before["average"],
                f"{HOUSEHOLD_RULE} Summan av antalet hushåll per månad delad med periodens antal månader "
                f"({ANNUAL})."),
        compare("income_support_paid", "Utbetalt försörjningsstöd (kr)", "kr",
                now["paid"]["income_support"], before["paid"]["income_support"],
                f"{PAID_RULE} Beslut om försörjningsstöd. Enhet: ärendets enhet ({ANNUAL})."),
        compare("income_support_granted", "Beviljat försörjningsstöd (kr)", "kr",
                now["amounts"]["income_support"], before["amounts"]["income_support"],
                "Summa beviljat belopp i gällande beslut om försörjningsstöd (bifall och delvis bifall) för "
                "ansökningar som avser periodens månader, hela kronor, vare sig det har betalats ut eller inte. "
                f"Enhet: ärendets enhet ({ANNUAL})."),
        compare("other_costs_paid", "Utbetalt bistånd till livsföring i övrigt (kr)", "kr",
                now["paid"]["other_costs"], before["paid"]["other_costs"],
                f"{PAID_RULE} Beslut om kostnadsposter (livsföring i övrigt)."),
        compare("other_costs_granted", "Beviljat bistånd till livsföring i övrigt (kr)", "kr",
                now["amounts"]["other_costs"], before["amounts"]["other_costs"],
                "Summa beviljat belopp i gällande beslut om kostnadsposter (livsföring i övrigt) för ansökningar "
                "som avser periodens månader, hela kronor, vare sig det har betalats ut eller inte."),
        compare("cost_per_household", "Beviljat försörjningsstöd per hushåll och månad (kr)", "kr",
                d_now["cost_per_household"], d_before["cost_per_household"],
                "Beviljat försörjningsstöd delat med antalet hushållsmånader (summan av hushåll per månad), "
                "avrundat till hela kronor. Räknas på beviljat belopp, som hushållsmånaderna, så att talet "
                f"inte sjunker för en månad vars utbetalningar ännu inte gjorts (9 800 kr/månad 2024 enligt {ANNUAL})."),
        compare("long_term_recipients", "Långvarigt biståndsmottagande (hushåll)", "int",
                now["long_term"]["long_term"], before["long_term"]["long_term"],
                f"Hushåll med försörjningsstöd (regeln ovan) i minst {minimum} av de {window} kalendermånader som "
                f"slutar med periodens sista månad ({ANNUAL})."),
        compare("long_term_share", "Andel långvariga av hushållen med försörjningsstöd (%)", "percent",
                d_now["long_term_share"], d_before["long_term_share"],
                f"Långvariga hushåll delat med alla hushåll med försörjningsstöd någon av samma {window} månader, "
                f"i procent (52 % 2023 enligt {ANNUAL})."),
        compare("waiting_mean", "Väntetid från ansökan till beslut, medelvärde (dagar)", "days",
                d_now["mean_wait"], d_before["mean_wait"],
                "Dagar från ansökans inkomstdatum till det första beslutet i ansökan (rättelser räknas inte), för "
                f"ansökningar vars första beslut fattades inom perioden. Enhet: ärendets enhet ({ANNUAL})."),
        compare("waiting_median", "Väntetid från ansökan till beslut, median (dagar)", "days",
                now["waiting"]["median"], before["waiting"]["median"],
                "Som medelvärdet, men medianen (mittvärdet; medel av de två mittersta vid jämnt antal)."),
        compare("applications_decided", "Ansökningar med första beslut under perioden", "int",
                now["waiting"]["count"], before["waiting"]["count"],
                "Antal ansökningar som väntetiden ovan räknas på."),
        compare("coordinator_closings", "Koordinatorns avslut", "int",
                now["closings"]["count"], before["closings"]["count"],
                "Avslut av deltagande som koordinatorn föreslagit och handläggaren bekräftat, avslutsdatum inom "
                f"perioden; personens kön och ålder. Enhet: koordinatorns enhet ({CLOSING_SOURCE})."),
        *_reason_tables(period, previous, now, before),
        compare("closings_to_work_or_studies", "Andel avslut till arbete eller studier (%)", "percent",
                d_now["work_or_studies_share"], d_before["work_or_studies_share"],
                "Avslut med orsak Arbete eller Studier delat med alla koordinatorns avslut ovan, i procent "
                f"(44 % 2022, 25 % 2023 enligt {ANNUAL})."),
        compare("insats_matchning_participants", "Deltagare med en eller flera insatser på Insats & Matchning",
                "int", now["participants"]["insats_matchning"], before["participants"]["insats_matchning"],
                f"{participation_rule} Insatser som utförs av enheten med kod '{im_code}'."),
        compare("in_labour_market_employment", "Antal i arbetsmarknadsanställning", "int",
                now["participants"]["employment"], before["participants"]["employment"],
                f"{participation_rule} Insatstyp arbetsmarknadsanställning."),
        compare("in_work_training", "Antal i arbetsträning", "int",
                now["participants"]["work_training"], before["participants"]["work_training"],
                f"{participation_rule} Insatstyp arbetsträning."),
        compare("in_praktik", "Antal i praktik", "int",
                now["participants"]["praktik"], before["participants"]["praktik"],
                f"{participation_rule} Insatstyp praktik eller språkpraktik."),
    ]
    charts = [
        Chart("Hushåll med försörjningsstöd per månad, i år och året före", "households_per_month", "month",
              ["current", "previous"], kind="line"),
        Chart("Koordinatorns avslut per orsak", "closings_by_reason", "reason", ["current", "previous"]),
        Chart("Andel avslut till arbete eller studier", "closings_to_work_or_studies", "group",
              ["current", "previous"]),
        Chart("Deltagare på Insats & Matchning", "insats_matchning_participants", "group", ["current", "previous"]),
    ]
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts,
                      notes=["Alla tal är summor; inga personuppgifter ingår. Små tal visas som de är.", AMOUNTS_NOTE])


REPORT = ReportDefinition(
    code="key_figures",
    title="Nyckeltal",
    number="1",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="period",
    covers=(
        "Nämndens nyckeltal för perioden: hushåll med försörjningsstöd per månad och i genomsnitt, utbetalt "
        "och beviljat bistånd och beviljat belopp per hushåll, långvarigt biståndsmottagande, väntetid från ansökan till beslut, "
        "koordinatorns avslut och hur många som gick till arbete eller studier, och deltagare i insatser. "
        "Varje tal delas upp på kön och åldersgrupp och jämförs med samma period året före."
    ),
    build=build,
)
