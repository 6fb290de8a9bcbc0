"""Cross-border retail import tax (跨境电商综合税; docs/domain.md, "Matching and the declaration rules").

Within the personal limits the tariff is 0 and VAT and consumption tax are levied at 70%:
rate = (consumption + vat) / (1 - consumption) x 0.7, i.e. 9.1% for VAT 13% and no consumption tax.
The taxable price is what the buyer pays for the goods and their carriage: goodsValue + freight.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
STANDARD_VAT = Decimal("0.13")
RETAIL_IMPORT_REDUCTION = Decimal("0.7")


def retail_import_rate(vat: Decimal = STANDARD_VAT, consumption: Decimal = Decimal(0)) -> Decimal:
    """The combined tax rate on a retail import within the personal limits."""
    return (consumption + vat) / (1 - consumption) * RETAIL_IMPORT_REDUCTION


def retail_import_tax(goods_value: Decimal, freight: Decimal,
                      rate: Decimal | None = None) -> Decimal:
    """The tax due on one order, rounded to the cent."""
    rate = retail_import_rate() if rate is None else rate
    return ((goods_value + freight) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
