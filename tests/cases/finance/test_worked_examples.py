"""The riksnorm calculation checked against examples worked out by hand from the 2019 and 2023
tables shipped in cases/migrations/0004 (DOMAIN.md 6). Each example writes out its arithmetic;
the norm is loaded from the database, so a wrong shipped amount fails here too."""

import datetime

import pytest

from cases import calculation as calc
from cases import finance_selectors as fs

pytestmark = pytest.mark.django_db


def norm(year: int) -> calc.NormData:
    return fs.norm_data(fs.norm_table_for(datetime.date(year, 3, 1)))


def adult(member_id, role="applicant", born=datetime.date(1985, 6, 1)):
    return calc.MemberInput(member_id=member_id, role=role, birth_date=born)


def child(member_id, born, no_lunch=False):
    return calc.MemberInput(member_id=member_id, role="child", birth_date=born, no_lunch=no_lunch)


def cost(amount, counts=True, approved="as applied", name="Boendekostnad"):
    # The worked examples are about approved costs: approved as applied unless said otherwise.
    approved = amount if approved == "as applied" else approved
    return calc.CostInput(cost_type_id=None, type_name=name, counts=counts, amount_applied=amount, amount_approved=approved)


def income(member_id, amount, employment=False, counts=True, name="Inkomst"):
    return calc.IncomeInput(member_id=member_id, income_type_id=None, type_name=name, counts=counts,
                            is_employment=employment, amount=amount)


def line_amounts(result, kind):
    return [line.amount for line in result.lines if line.kind == kind]


def test_single_adult_2019():
    # Single adult, March 2019.
    #   personal amount, single adult          3 090
    #   shared amount, household of 1            990
    #   riksnorm                               4 080
    #   housing 5 500 + electricity 300 + home insurance 150 = 5 950
    #   sickness benefit                      −4 000
    #   försörjningsstöd 4 080 + 5 950 − 4 000 = 6 030
    month = datetime.date(2019, 3, 1)
    result = calc.calculate(
        month=month, norm=norm(2019), members=[adult(1)], household_size=1,
        incomes=[income(1, 4000)], costs=[cost(5500), cost(300), cost(150)],
    )
    assert line_amounts(result, "personal") == [3090]
    assert line_amounts(result, "shared") == [990]
    assert (result.norm_total, result.costs_total, result.income_total) == (4080, 5950, 4000)
    assert result.result_amount == 6030


def test_single_adult_2023():
    # 3 490 + 1 130 = 4 620 riksnorm; housing 6 000; no income: 10 620.
    result = calc.calculate(month=datetime.date(2023, 5, 1), norm=norm(2023), members=[adult(1)], household_size=1,
                            incomes=[], costs=[cost(6000)])
    assert result.norm_total == 4620
    assert result.result_amount == 10620


def test_couple_with_two_children_of_different_age_bands_2023():
    # March 2023. Couple (cohabiting, both)    6 300
    #   child born 2020-10-10: 2 years on 1 March (band 1–2)   2 700
    #   child born 2014-08-20: 8 years (band 7–10)             3 380
    #   shared amount, household of 4                          1 790
    #   riksnorm 6 300 + 2 700 + 3 380 + 1 790 = 14 170
    #   costs: housing 8 200 + electricity 450 + insurance 210 = 8 860
    #   incomes: child allowance 2 × 1 250 = 2 500, housing allowance 1 800 → 4 300
    #   försörjningsstöd 14 170 + 8 860 − 4 300 = 18 730
    month = datetime.date(2023, 3, 1)
    members = [adult(1), adult(2, "co_applicant"), child(3, datetime.date(2020, 10, 10)), child(4, datetime.date(2014, 8, 20))]
    result = calc.calculate(
        month=month, norm=norm(2023), members=members, household_size=4,
        incomes=[income(1, 2500), income(1, 1800)], costs=[cost(8200), cost(450), cost(210)],
    )
    assert line_amounts(result, "cohabiting") == [6300]
    assert line_amounts(result, "personal") == [2700, 3380]
    assert line_amounts(result, "shared") == [1790]
    assert result.norm_total == 14170
    assert result.result_amount == 18730
    # One line for the couple, stored on the applicant, naming both; one per child, on the child.
    couple = next(line for line in result.lines if line.kind == "cohabiting")
    assert (couple.member_id, couple.basis["member_ids"]) == (1, [1, 2])
    assert [line.member_id for line in result.lines if line.kind == "personal"] == [3, 4]


def test_couple_with_two_children_2019_with_no_lunch_variant():
    # March 2019, same family; the 2-year-old has no lunch at preschool 5 days/week.
    #   couple 5 570 + child 1–2 "ej lunch" 2 190 + child 7–10 2 990 + shared(4) 1 570 = 12 320
    #   (with lunch the small child's amount would be 2 380: 12 510)
    month = datetime.date(2019, 3, 1)
    members = [adult(1), adult(2, "co_applicant"), child(3, datetime.date(2016, 10, 10), no_lunch=True),
               child(4, datetime.date(2010, 8, 20))]
    result = calc.calculate(month=month, norm=norm(2019), members=members, household_size=4, incomes=[], costs=[])
    assert line_amounts(result, "personal") == [2190, 2990]
    assert result.norm_total == 12320


def test_no_lunch_refused_where_the_table_has_no_such_amount():
    # 2023's "ej lunch" amounts were not found (DOMAIN.md 6): never guessed.
    with pytest.raises(Exception) as exc:
        calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023),
                       members=[adult(1), child(2, datetime.date(2021, 1, 1), no_lunch=True)],
                       household_size=2, incomes=[], costs=[])
    assert "members[1].no_lunch" in exc.value.message_dict


def test_household_of_8_2023():
    # March 2023: couple and six children.
    #   couple                                  6 300
    #   child 0 years (born 2022-09-01)         2 420
    #   child 3 years (born 2019-05-01)         2 410
    #   child 5 years (band 4–6)                2 700
    #   child 9 years (band 7–10)               3 380
    #   child 13 years (band 11–14)             3 890
    #   child 16 years (band 15–18)             4 390   children: 19 190
    #   shared: household of 7 = 2 510, plus 1 member beyond 7 × 180 = 2 690
    #   riksnorm 6 300 + 19 190 + 2 690 = 28 180
    #   housing 12 000; child allowance and flerbarnstillägg 9 000
    #   försörjningsstöd 28 180 + 12 000 − 9 000 = 31 180
    births = [datetime.date(2022, 9, 1), datetime.date(2019, 5, 1), datetime.date(2017, 6, 1),
              datetime.date(2013, 7, 1), datetime.date(2009, 8, 1), datetime.date(2006, 9, 1)]
    members = [adult(1), adult(2, "co_applicant")] + [child(10 + i, b) for i, b in enumerate(births)]
    result = calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023), members=members, household_size=8,
                            incomes=[income(1, 9000)], costs=[cost(12000)])
    assert line_amounts(result, "personal") == [2420, 2410, 2700, 3380, 3890, 4390]
    assert line_amounts(result, "shared") == [2690]
    assert result.norm_total == 28180
    assert result.result_amount == 31180


def test_household_of_8_2019_shared_amount():
    # 2019: household of 7 = 2 220, plus 1 × 170 = 2 390 for 8 persons; for 9 persons 2 560.
    data = norm(2019)
    assert calc.shared_amount(data, 8)[1] == 2390
    assert calc.shared_amount(data, 9)[1] == 2560


def test_jobbstimulans_in_the_7th_month_2023():
    # Single adult with försörjningsstöd January–June 2023 (6 consecutive months); July 2023 is
    # the 7th month and she has wages of 8 000.
    #   riksnorm 3 490 + 1 130 = 4 620; housing 6 000 → need 10 620
    #   wages 8 000, jobbstimulans 25 % not counted = 2 000 → counted income 6 000
    #   försörjningsstöd 10 620 − 6 000 = 4 620
    # In the 6th month (only 5 months before) the full 8 000 counts: 10 620 − 8 000 = 2 620.
    support = {datetime.date(2023, m, 1) for m in range(1, 7)}
    july = datetime.date(2023, 7, 1)
    applies, _ = calc.jobbstimulans_applies(july, support, None)
    assert applies
    result = calc.calculate(month=july, norm=norm(2023), members=[adult(1)], household_size=1,
                            incomes=[income(1, 8000, employment=True)], costs=[cost(6000)], jobbstimulans=applies)
    assert line_amounts(result, "jobbstimulans") == [2000]
    assert result.income_total == 6000
    assert result.result_amount == 4620

    june = datetime.date(2023, 6, 1)
    applies_june, basis = calc.jobbstimulans_applies(june, support, None)
    assert not applies_june and basis["consecutive_months_before"] == 5
    result = calc.calculate(month=june, norm=norm(2023), members=[adult(1)], household_size=1,
                            incomes=[income(1, 8000, employment=True)], costs=[cost(6000)], jobbstimulans=applies_june)
    assert result.result_amount == 2620


def test_jobbstimulans_lasts_two_years_from_its_first_month():
    first = datetime.date(2023, 7, 1)
    assert calc.jobbstimulans_applies(datetime.date(2025, 6, 1), set(), first)[0]  # month 24
    assert not calc.jobbstimulans_applies(datetime.date(2025, 7, 1), set(), first)[0]  # month 25


def test_child_with_own_earnings_2019():
    # March 2019: single parent (40) and a 17-year-old with a summer job.
    #   single adult 3 090 + child 15–18 3 880 + shared(2) 1 100 = 8 070
    #   housing 6 500 → need 14 570
    #   child allowance 1 250 counts; the child's wages 3 000 do not (SoL 12 kap. 9 §)
    #   försörjningsstöd 14 570 − 1 250 = 13 320
    members = [adult(1, born=datetime.date(1979, 1, 1)), child(2, datetime.date(2001, 11, 1))]
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=members, household_size=2,
                            incomes=[income(1, 1250), income(2, 3000, employment=True)], costs=[cost(6500)])
    assert line_amounts(result, "personal") == [3090, 3880]
    assert line_amounts(result, "child_earnings") == [0]
    assert result.income_total == 1250
    assert result.result_amount == 13320


def test_applicant_sharing_a_dwelling_gets_a_share_of_the_household_amount():
    # Socialstyrelsen's rule (DOMAIN.md 6): an adult in a 5-person household who is not part of
    # the others' norm gets single 3 090 + 1 810 / 5 = 362 (2019) → 3 452.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=5,
                            incomes=[], costs=[])
    assert line_amounts(result, "shared") == [362]
    assert result.norm_total == 3452


def test_approved_costs_count_not_applied_and_income_above_need_gives_zero():
    # Housing applied 9 000, approved 7 000 (reasonable level): 4 080 + 7 000 = 11 080; requested
    # with the applied amount 4 080 + 9 000 = 13 080. An income of 20 000 leaves nothing.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=1,
                            incomes=[], costs=[cost(9000, approved=7000), cost(800, counts=False)])
    assert (result.result_amount, result.requested_amount) == (11080, 13080)
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=1,
                            incomes=[income(1, 20000)], costs=[])
    assert result.result_amount == 0
    assert all(isinstance(line.amount, int) for line in result.lines)


def test_child_born_during_the_month_gets_the_amount_for_age_0():
    # Born 2023-03-20, in the household from birth: March 2023 counts the 0-year amount 2 420.
    result = calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023),
                            members=[adult(1), child(2, datetime.date(2023, 3, 20))], household_size=2,
                            incomes=[], costs=[])
    assert line_amounts(result, "personal") == [3490, 2420]


def test_child_whose_birthday_is_on_the_first_has_the_new_age_that_month():
    # DOMAIN.md 6 / README: the age is the age on the first of the month. Born 2012-03-01, the
    # child turns 11 on 1 March 2023, so March counts band 11–14 (3 890), not 7–10 (3 380).
    # February is still 10 years: 3 380.
    members = [adult(1), child(2, datetime.date(2012, 3, 1))]
    march = calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023), members=members, household_size=2,
                           incomes=[], costs=[])
    assert line_amounts(march, "personal") == [3490, 3890]
    february = calc.calculate(month=datetime.date(2023, 2, 1), norm=norm(2023), members=members, household_size=2,
                              incomes=[], costs=[])
    assert line_amounts(february, "personal") == [3490, 3380]


def test_a_share_of_the_household_amount_is_rounded_half_up_to_the_krona():
    # DOMAIN.md 6 (whole kronor; an adult sharing a dwelling gets their share of the household
    # amount): 2019, household of 4, one applying: 1 570 / 4 = 392.50 → 393 (not 392, which both
    # truncation and banker's rounding would give): 3 090 + 393 = 3 483.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=4,
                            incomes=[], costs=[])
    assert line_amounts(result, "shared") == [393]
    assert result.norm_total == 3483
    # 2023, household of 3, one applying: 1 580 / 3 = 526.67 → 527.
    result = calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023), members=[adult(1)], household_size=3,
                            incomes=[], costs=[])
    assert line_amounts(result, "shared") == [527]


def test_an_income_that_does_not_count_is_shown_at_zero_and_changes_nothing():
    # DOMAIN.md 6: only counted incomes are deducted; one that does not count is listed for the
    # record with 0 kr: 4 080 riksnorm (2019, single) stays the amount.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=1,
                            incomes=[income(1, 1500, counts=False, name="Studiebidrag")], costs=[])
    assert [(line.kind, line.amount, line.basis) for line in result.lines if line.kind == "not_counted"] == [
        ("not_counted", 0, {"gross": 1500})]
    assert (result.income_total, result.result_amount, result.norm_total) == (0, 4080, 4080)


def test_a_young_applicant_gets_the_adult_amount_and_a_child_of_21_too():
    # DOMAIN.md 6: the age bands are children's amounts (up to 19–20 for a child living at home);
    # an applicant of 20 applying alone gets the single adult amount (2019: 3 090, not 3 910), and
    # so does a member still marked as child once 21.
    young = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019),
                           members=[adult(1, born=datetime.date(1998, 6, 1))], household_size=1, incomes=[], costs=[])
    assert line_amounts(young, "personal") == [3090]
    grown = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019),
                           members=[adult(1), child(2, datetime.date(1998, 1, 1))], household_size=2,
                           incomes=[], costs=[])
    assert line_amounts(grown, "personal") == [3090, 3090]


def test_requested_amount_is_never_below_zero():
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=1,
                            incomes=[income(1, 20000)], costs=[cost(1000)])
    assert (result.requested_amount, result.result_amount) == (0, 0)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),  # leap year: clamped to the 29th
    (datetime.date(2023, 1, 31), 1, datetime.date(2023, 2, 28)),
    (datetime.date(2024, 3, 31), -1, datetime.date(2024, 2, 29)),
    (datetime.date(2024, 3, 15), 12, datetime.date(2025, 3, 15)),
    (datetime.date(2024, 4, 30), 1, datetime.date(2024, 5, 30)),
])
def test_add_months_day_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert calc.add_months_day(day, months) == expected


def test_jobbstimulans_needs_six_consecutive_months_and_says_how_many_there_were():
    # SoL 12 kap. 8 § (DOMAIN.md 6): consecutive months. Support in all of January–June 2023
    # except April: July counts back June, May, then the gap: 2 consecutive months, no disregard.
    support = {datetime.date(2023, m, 1) for m in (1, 2, 3, 5, 6)}
    assert calc.jobbstimulans_applies(datetime.date(2023, 7, 1), support, None) == (
        False, {"consecutive_months_before": 2})
    full = {datetime.date(2023, m, 1) for m in range(1, 7)}
    assert calc.jobbstimulans_applies(datetime.date(2023, 7, 1), full, None) == (
        True, {"consecutive_months_before": 6})


def test_household_of_7_uses_the_table_row_itself():
    # DOMAIN.md 6: the published table goes up to 7 (2023: 2 510); only beyond 7 is the per-member step added.
    members = [adult(1), adult(2, "co_applicant")] + [child(n, datetime.date(2015, 1, n)) for n in range(3, 8)]
    result = calc.calculate(month=datetime.date(2023, 3, 1), norm=norm(2023), members=members, household_size=7,
                            incomes=[], costs=[])
    shared = next(line for line in result.lines if line.kind == "shared")
    assert (shared.amount, shared.basis) == (2510, {"size": 7, "table_amount": 2510})


def test_a_child_has_lunch_unless_stated_and_earnings_count_from_21():
    # SoL 12 kap. 9 § (DOMAIN.md 6): a child's own earnings are not counted; at 21 they are.
    # A child member without `no_lunch` gets the ordinary amount (2019, 1–2 years: 2 380).
    toddler = calc.MemberInput(member_id=2, role="child", birth_date=datetime.date(2017, 6, 1))
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1), toddler],
                            household_size=2, incomes=[], costs=[])
    assert line_amounts(result, "personal") == [3090, 2380]
    assert [line.description for line in result.lines if line.kind == "personal"][1].endswith("(1–2 år)")
    members = [adult(1, born=datetime.date(1970, 1, 1)), child(2, datetime.date(1998, 3, 1))]  # 21 on 1 March 2019
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=members, household_size=2,
                            incomes=[income(2, 3000, employment=True)], costs=[])
    assert (line_amounts(result, "child_earnings"), result.income_total) == ([], 3000)


def test_a_cost_that_does_not_count_leaves_the_others_counted():
    # Single adult 2019 (4 080): a cost type that does not count, then housing 5 000: 9 080.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=[adult(1)], household_size=1,
                            incomes=[], costs=[cost(800, counts=False, name="Hemförsäkring"), cost(5000)])
    assert (result.costs_total, result.result_amount) == (5000, 9080)


def test_two_applying_in_a_household_of_five_get_two_fifths_of_the_household_amount():
    # DOMAIN.md 6 (share of the household amount): 2019, household of 5 (1 810), a couple applying:
    # 1 810 × 2 / 5 = 724; cohabiting 5 570 + 724 = 6 294.
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019),
                            members=[adult(1), adult(2, "co_applicant")], household_size=5, incomes=[], costs=[])
    assert (line_amounts(result, "shared"), result.norm_total) == ([724], 6294)


def test_incomes_after_one_that_does_not_count_or_a_childs_wages_still_count():
    members = [adult(1, born=datetime.date(1979, 1, 1)), child(2, datetime.date(2003, 1, 1))]
    result = calc.calculate(month=datetime.date(2019, 3, 1), norm=norm(2019), members=members, household_size=2,
                            incomes=[income(1, 500, counts=False), income(2, 2000, employment=True), income(1, 1250)],
                            costs=[])
    assert result.income_total == 1250


def test_jobbstimulans_basis_in_its_first_month_and_later():
    # The first month it applies, the reason is the 6 qualifying months (counted up to 6); later
    # months count from that first month.
    support = {calc.add_months(datetime.date(2023, 7, 1), -k) for k in range(1, 13)}
    july = datetime.date(2023, 7, 1)
    assert calc.jobbstimulans_applies(july, support, july) == (True, {"consecutive_months_before": 6})
    assert calc.jobbstimulans_applies(datetime.date(2023, 9, 1), support, july) == (
        True, {"first_month": "2023-07-01", "months_since_first": 2})
