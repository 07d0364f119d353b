"""Unit tests for shared.identity (pure functions: no broker, no database)."""

from datetime import date

import pytest

from shared.identity import (
    InvalidIdentifier,
    age_on,
    birth_date_of,
    make_resident_id,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TODAY = date(2024, 6, 1)
GB_SAMPLE_ID = "11010519491231002X"  # worked example printed in GB 11643-1999
PUBLISHED_CREDIT_CODE = "91350100M000100Y43"


# --- resident identity numbers -------------------------------------------------


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "expected"),
    [
        # Σ(digit×weight) = 325, 325 mod 11 = 6 → "6"
        ("341181", date(1985, 6, 15), 123, "341181198506151236"),
        # Σ = 229, 229 mod 11 = 9 → "3"
        ("341181", date(2000, 2, 29), 1, "341181200002290013"),
        # Σ = 219, 219 mod 11 = 10 → "2"
        ("341181", date(1990, 1, 1), 0, "341181199001010002"),
        # Σ = 255, 255 mod 11 = 2 → "X"
        ("341181", date(1972, 11, 8), 0, "34118119721108000X"),
    ],
)
def test_make_resident_id_matches_hand_computed_check_digit(region, birth, sequence, expected):
    assert make_resident_id(region, birth, sequence) == expected
    assert validate_resident_id(expected, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (GB_SAMPLE_ID, GB_SAMPLE_ID),
        ("11010519491231002x", GB_SAMPLE_ID),
        ("  11010519491231002x\n", GB_SAMPLE_ID),
        ("341181198506151236", "341181198506151236"),
    ],
)
def test_valid_resident_ids_are_normalised(raw, normalised):
    assert validate_resident_id(raw, today=TODAY) == normalised


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "must be 18 characters, got 0"),
        ("34118119850615123", "must be 18 characters, got 17"),
        ("3411811985061512360", "must be 18 characters, got 19"),
        ("34118A198506151236", "first 17 characters must be digits"),
        ("3411811985O6151236", "first 17 characters must be digits"),
        ("３41181198506151236", "first 17 characters must be digits"),  # full-width 3
        ("34118119850615123A", "last character must be a digit or X"),
        ("041181198506151236", "region code 041181 is not valid"),
        ("341181198506151237", "check digit does not match"),
        ("110105194912310021", "check digit does not match"),
        # Check digits below are correct, so only the date can be the reason.
        ("341181199002300019", "birth date 1990-02-30 is not a real date"),
        ("341181199013010010", "birth date 1990-13-01 is not a real date"),
        ("341181190002290013", "birth date 1900-02-29 is not a real date"),
    ],
)
def test_invalid_resident_ids_give_specific_reason(value, reason):
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_resident_id(value, today=TODAY)


def test_future_birth_date_is_rejected():
    tomorrow = make_resident_id("341181", date(2024, 6, 2), 5)
    with pytest.raises(InvalidIdentifier, match="birth date 2024-06-02 is in the future"):
        validate_resident_id(tomorrow, today=TODAY)


def test_born_today_is_accepted():
    born_today = make_resident_id("341181", TODAY, 5)
    assert validate_resident_id(born_today, today=TODAY) == born_today


def test_today_defaults_to_the_real_date():
    far_future = make_resident_id("341181", date(2999, 1, 1), 5)
    with pytest.raises(InvalidIdentifier, match="in the future"):
        validate_resident_id(far_future)


@pytest.mark.parametrize(
    ("birth", "ok"),
    [(date(1899, 12, 31), False), (date(1900, 1, 1), True)],
)
def test_earliest_birth_date_is_1900(birth, ok):
    id_number = make_resident_id("341181", birth, 7)
    if ok:
        assert validate_resident_id(id_number, today=TODAY) == id_number
    else:
        with pytest.raises(InvalidIdentifier, match="before 1900-01-01"):
            validate_resident_id(id_number, today=TODAY)


@pytest.mark.parametrize("position", range(17))
def test_any_single_digit_change_is_detected(position):
    original = "341181198506151236"
    changed_digit = str((int(original[position]) + 1) % 10)
    tampered = original[:position] + changed_digit + original[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        validate_resident_id(tampered, today=TODAY)


def test_non_string_resident_id_is_rejected():
    with pytest.raises(InvalidIdentifier, match="must be a string"):
        validate_resident_id(None, today=TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("region", "sequence"),
    [("041181", 1), ("34118", 1), ("34118A", 1), ("341181", -1), ("341181", 1000)],
)
def test_make_resident_id_rejects_bad_arguments(region, sequence):
    with pytest.raises(ValueError):
        make_resident_id(region, date(1990, 1, 1), sequence)


def test_birth_date_of():
    assert birth_date_of(GB_SAMPLE_ID) == date(1949, 12, 31)
    assert birth_date_of("34118119721108000x") == date(1972, 11, 8)


def test_birth_date_of_rejects_invalid_id():
    with pytest.raises(InvalidIdentifier, match="check digit"):
        birth_date_of("341181198506151237")


@pytest.mark.parametrize(
    ("id_number", "on", "expected"),
    [
        ("341181198506151236", date(1985, 6, 15), 0),
        ("341181198506151236", date(1986, 6, 14), 0),
        ("341181198506151236", date(1986, 6, 15), 1),
        ("341181198506151236", date(2024, 6, 14), 38),
        ("341181198506151236", date(2024, 6, 15), 39),
        ("341181198506151236", date(2024, 12, 31), 39),
        # Born 29 February 2000: in common years the birthday passes on 1 March.
        ("341181200002290013", date(2023, 2, 28), 22),
        ("341181200002290013", date(2023, 3, 1), 23),
        ("341181200002290013", date(2024, 2, 28), 23),
        ("341181200002290013", date(2024, 2, 29), 24),
    ],
)
def test_age_on_counts_completed_years(id_number, on, expected):
    assert age_on(id_number, on) == expected


def test_age_on_before_birth_is_an_error():
    with pytest.raises(ValueError, match="before"):
        age_on("341181198506151236", date(1985, 6, 14))


# --- unified social credit codes -----------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # Σ(index×weight) = 1640, 1640 mod 31 = 28, 31 − 28 = 3 → "3"
        PUBLISHED_CREDIT_CODE,
        # Σ = 1581 = 51 × 31, so 31 − 0 = 31, which wraps to 0 → "0"
        "91341181MA2N000160",
    ],
)
def test_hand_computed_check_characters_are_accepted(code):
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (PUBLISHED_CREDIT_CODE, PUBLISHED_CREDIT_CODE),
        ("91350100m000100y43", PUBLISHED_CREDIT_CODE),
        (" 91350100M000100Y43 ", PUBLISHED_CREDIT_CODE),
    ],
)
def test_valid_credit_codes_are_normalised(raw, normalised):
    assert validate_credit_code(raw) == normalised


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "i", "o"])
def test_credit_code_forbidden_letters(letter):
    code = PUBLISHED_CREDIT_CODE[:8] + letter + PUBLISHED_CREDIT_CODE[9:]
    with pytest.raises(InvalidIdentifier, match=f"not allowed: {letter.upper()}"):
        validate_credit_code(code)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91350100M000100Y44", "check character does not match"),
        ("91350100M000100Y40", "check character does not match"),
        ("91350100M000100Y4", "must be 18 characters, got 17"),
        ("91350100M000100Y430", "must be 18 characters, got 19"),
        ("91350100M000100Y4-", "not allowed: -"),
    ],
)
def test_invalid_credit_codes(value, reason):
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_credit_code(value)


# --- mobile numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "8613812345678",
        " 138-1234-5678 ",
    ],
)
def test_valid_mobile_is_reduced_to_11_digits(raw):
    assert validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize("second_digit", "3456789")
def test_mobile_second_digit_3_to_9_accepted(second_digit):
    number = f"1{second_digit}912345678"
    assert validate_mobile(number) == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("138123456789", "11 digits"),
        ("1381234567", "11 digits"),
        ("", "11 digits"),
        ("1381234567a", "11 digits"),
        ("１3812345678", "11 digits"),  # full-width 1
        ("86138123456789", "11 digits"),
        ("+85213812345678", "11 digits"),
        ("12812345678", "start with 1 followed by 3-9"),
        ("10812345678", "start with 1 followed by 3-9"),
        ("23812345678", "start with 1 followed by 3-9"),
        ("+8623812345678", "start with 1 followed by 3-9"),
    ],
)
def test_invalid_mobiles(value, reason):
    with pytest.raises(InvalidIdentifier, match=reason):
        validate_mobile(value)


# --- masking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("341181198506151234", "3411**********1234"),
        ("34118119721108000X", "3411**********000X"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("abc", "***"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_a_credit_code_is_masked_like_an_identity_number():
    from shared.identity import mask_credit_code
    assert mask_credit_code("91350100M000100Y43") == "9135**********0Y43"
    assert mask_credit_code(None) is None


@pytest.mark.parametrize(("text", "shown"), [
    ("身份证11010519491231002X已核", "身份证1101**********002X已核"),
    ("id 110105491231002 old", "id 1101*******1002 old"),
    ("代码91350100M000100Y43。", "代码9135**********0Y43。"),
    ("call 13812345678 today", "call 138****5678 today"),
    ("amount 12345678, ref PL-20261201-0001", "amount 12345678, ref PL-20261201-0001"),
    ("a 1234567890123456789 long number", "a 1234567890123456789 long number"),
    ("", ""), (None, None),
])
def test_identifiers_typed_into_free_text_are_masked(text, shown):
    from shared.identity import mask_identifiers
    assert mask_identifiers(text) == shown
