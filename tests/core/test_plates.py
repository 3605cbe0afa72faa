from __future__ import annotations

import pytest

from kiosk.core.plates import PlateError, display_plate, is_new_energy, normalise_plate


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("豫A12345", "豫A12345"),
        ("豫a·12345", "豫A12345"),
        (" 豫A-123 45 ", "豫A12345"),
        ("豫Ａ１２３４５", "豫A12345"),  # full-width from a Chinese input method
        ("京B1234学", "京B1234学"),
        ("沪C·1234挂", "沪C1234挂"),
        ("豫AD12345", "豫AD12345"),  # small new-energy, class letter first
        ("粤BFA1234", "粤BFA1234"),
        ("川A12345D", "川A12345D"),  # large new-energy, class letter last
    ],
)
def test_plates_are_normalised(typed: str, plate: str) -> None:
    assert normalise_plate(typed) == plate


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "豫A1234",  # too short
        "豫A1234567",  # too long
        "豫O12345",  # O is never issued after the province
        "豫AI2345",
        "A123456",  # no province
        "美A12345",  # not a province abbreviation
        "豫112345",  # authority must be a letter
        "豫AD1234X",  # new-energy: four digits after the class letter and one character
        "豫A1234Z5",
        "豫A12345<script>",
        "豫A12345' OR 1=1",
        "豫" + "A" * 200,
    ],
)
def test_non_plates_are_refused(typed: str) -> None:
    with pytest.raises(PlateError) as info:
        normalise_plate(typed)
    assert len(str(info.value)) < 120


def test_new_energy_and_display() -> None:
    assert is_new_energy("豫AD12345") and not is_new_energy("豫A12345")
    assert display_plate("豫AD12345") == "豫A·D12345"
