import datetime as dt

import pytest

from ceb.resident_id import IdProblem, check_character, make_id_number, problem


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_published_vectors_have_the_right_check_character(number):
    assert check_character(number[:17]) == number[17]


def test_a_valid_number_passes_every_check():
    assert problem("11010519491231002X") is None


def test_a_buyer_born_in_1880_is_not_plausible():
    # The GB 11643 vector is arithmetically valid, but no living buyer was born in 1880.
    assert problem("440524188001010014") is IdProblem.BIRTH_DATE


def test_wrong_check_character_is_named():
    assert problem("110105194912310021") is IdProblem.CHECK_DIGIT


@pytest.mark.parametrize("number,expected", [
    ("1101051949123100", IdProblem.FORMAT),
    ("11010519491331002A", IdProblem.FORMAT),
])
def test_malformed_numbers(number, expected):
    assert problem(number) is expected


def test_impossible_or_future_birth_dates_are_rejected():
    future = make_id_number("110105", dt.date.today() + dt.timedelta(days=30), 1)
    assert problem(future) is IdProblem.BIRTH_DATE
    feb30 = "1101051990023000" + "1"
    assert problem(feb30 + check_character(feb30)) is IdProblem.BIRTH_DATE


def test_made_numbers_pass():
    assert problem(make_id_number("500103", dt.date(1990, 5, 17), 123)) is None
