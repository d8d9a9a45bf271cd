"""Money helpers: amounts are whole đồng (int) everywhere; this module formats them."""


def group_digits(number: int) -> str:
    """A whole number as Vietnamese readers write it: 10000000 -> '10.000.000'."""
    return f"{number:,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    """Format whole đồng the Vietnamese way: 979560 -> '979.560 đ', -1500 -> '-1.500 đ'."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int of đồng, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{group_digits(abs(amount))} đ"
