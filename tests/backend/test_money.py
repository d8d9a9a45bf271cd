import pytest

from backend.money import format_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (979_560, "979.560 đ"),
        (0, "0 đ"),
        (1_362_172, "1.362.172 đ"),
        (-26_550, "-26.550 đ"),
        (999, "999 đ"),
    ],
)
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize("amount", [1.5, "100", True])
def test_format_vnd_refuses_non_integers(amount):
    with pytest.raises(TypeError):
        format_vnd(amount)
