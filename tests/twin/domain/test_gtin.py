import pytest

from twin.domain.gtin import gtin_check_digit, gtin_problem, make_gtin14


@pytest.mark.parametrize("gtin", ["04006381333931", "00012345600012", "10614141000415"])
def test_known_valid_gtins(gtin: str) -> None:
    assert gtin_problem(gtin) is None


def test_wrong_check_digit_names_the_expected_digit() -> None:
    assert "expected 1" in gtin_problem("04006381333932")


@pytest.mark.parametrize("bad", ["123", "0400638133393X", "040063813339311"])
def test_malformed(bad: str) -> None:
    assert "14 digits" in gtin_problem(bad)


def test_make_gtin14_round_trip() -> None:
    gtin = make_gtin14("0690123400001")
    assert gtin_problem(gtin) is None
    assert int(gtin[-1]) == gtin_check_digit(gtin[:13])


@pytest.mark.parametrize("digits", ["٠٦٩٠١٢٣٤٠٠٠٠١٦", "０６９０１２３４００００１６",
                                    "0690123400001６"])
def test_digits_of_other_scripts_are_refused(digits: str) -> None:
    """``str.isdigit`` and ``int`` accept them; a GTIN is ASCII 0-9 only."""
    assert digits.isdigit()
    assert "ASCII 0-9" in gtin_problem(digits)
    with pytest.raises(ValueError, match="13 digits"):
        make_gtin14(digits[:12] + "٣")
