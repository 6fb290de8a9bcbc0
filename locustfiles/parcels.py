"""Synthetic import parcels: order, payment, waybill and inventory list that agree on every field.

A `ParcelFactory` is seeded and numbers its parcels, so a run is reproducible and the identifiers
of different generator processes never collide (each gets its own `namespace`, which starts with
the run's tag). A parcel can carry one `ParcelDefect` (`scenarios.model`), the kinds of bad data
the platform must reject with a 100 receipt. `Declaring` says how the run's documents present
themselves: the test note every document carries, stored only or declared, and whose buyers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from faker import Faker

from ceb.documents import (
    BaseTransfer,
    DeclarationHead,
    InventoryItem,
    InventoryList,
    Message,
    Order,
    OrderItem,
    Payment,
    Waybill,
)
from ceb.resident_id import check_character, make_id_number
from ceb.tax import CENT, retail_import_tax
from ceb.types import AppStatus, AppType, MessageType, TradeMode
from locustfiles.identities import Buyer
from scenarios.model import ParcelDefect
from scenarios.parties import Parties


@dataclass(frozen=True, slots=True)
class Goods:
    """A product on the positive list (正面清单) with its HS code and unit price."""

    item_no: str
    name: str
    gcode: str
    unit: str
    net_kg: Decimal
    price: Decimal


CATALOGUE = (
    Goods("SKU-FORMULA-900", "婴幼儿配方奶粉 900g", "1901101000", "122", Decimal("0.9"), Decimal("238.00")),
    Goods("SKU-SERUM-50", "精华液 50ml", "3304990099", "142", Decimal("0.1"), Decimal("415.50")),
    Goods("SKU-FISHOIL-120", "深海鱼油软胶囊 120粒", "2106909090", "140", Decimal("0.2"), Decimal("129.90")),
    Goods("SKU-CHOC-384", "巧克力盒装 384g", "1806900000", "140", Decimal("0.4"), Decimal("89.00")),
    Goods("SKU-BAG-01", "手提斜挎包", "4202210090", "011", Decimal("1.2"), Decimal("1023.30")),
    Goods("SKU-VITC-60", "维生素C咀嚼片 60片", "2106909090", "140", Decimal("0.15"), Decimal("99.00")),
)
ANNUAL_LIMIT_CNY = Decimal("26000")  # the platform's default (财关税〔2018〕49号)
AREA_CODES = ("500103", "500105", "500106", "500107", "110105", "310115", "440305", "330106")
_APP_TIME = "%Y%m%d%H%M%S"
TEST_NOTE = "PEAKLOAD-TEST"  # every document's note starts with it: a platform can route test data on it


def run_note(tag: str) -> str:
    """The note of every document of the run tagged `tag`."""
    return f"{TEST_NOTE} {tag}" if tag else TEST_NOTE


@dataclass(frozen=True, slots=True)
class Declaring:
    """How a run's documents present themselves to the platform: the run's tag in every note, only
    stored (暂存, appStatus 1: a first pass through intake that declares nothing) or declared (2),
    and whose identities the buyers carry (a registry's test accounts, or synthetic buyers)."""

    tag: str = ""
    store_only: bool = False
    buyers: tuple[Buyer, ...] = field(default=(), repr=False)  # empty: synthetic buyers
    buyer_offset: int = 0  # this process's first account: processes spread over the registry
    buyer_stride: int = 1

    @property
    def note(self) -> str:
        return run_note(self.tag)

    @property
    def app_status(self) -> str:
        return (AppStatus.STORED if self.store_only else AppStatus.DECLARED).value

    def buyer(self, sequence: int) -> Buyer:
        """The registry's account for this process's parcel `sequence` (round-robin)."""
        return self.buyers[(sequence * self.buyer_stride + self.buyer_offset) % len(self.buyers)]


@dataclass(frozen=True, slots=True)
class Parcel:
    """The four documents of one import parcel and the messages that carry them."""

    sequence: int
    order: Order
    payment: Payment
    waybill: Waybill
    inventory_list: InventoryList
    defect: ParcelDefect | None

    def keys(self) -> dict[str, str]:
        """The parcel's business keys, as a manifest records them."""
        return parcel_keys(self.order.order_no, self.waybill.logistics_no, self.inventory_list.cop_no,
                           self.order.pay_transaction_id, self.order.ebp_code, self.payment.pay_code,
                           self.waybill.logistics_code, self.inventory_list.agent_code)

    def messages(self, parties: Parties, guid: "GuidSource") -> dict[MessageType, Message]:
        """One message per document, each from its own party; a missing payment is left out."""
        documents = {MessageType.ORDER: self.order, MessageType.PAYMENT: self.payment,
                     MessageType.WAYBILL: self.waybill, MessageType.INVENTORY_LIST: self.inventory_list}
        if self.defect is ParcelDefect.MISSING_PAYMENT:
            del documents[MessageType.PAYMENT]
        out = {}
        for message_type, document in documents.items():
            sender = parties.sender_of(message_type)
            out[message_type] = Message(message_type, guid(), (document,),
                                        BaseTransfer(cop_code=sender.code, cop_name=sender.name,
                                                     dxp_mode="DXP", dxp_id=sender.dxp_id, note=document.note))
        return out


def parcel_keys(order_no: str, logistics_no: str, cop_no: str, pay_transaction_id: str, ebp_code: str,
                pay_code: str, logistics_code: str, agent_code: str) -> dict[str, str]:
    """An import parcel's business keys by their CEB names: what a manifest records of each of its
    documents, and what finds them on the platform."""
    return {"orderNo": order_no, "logisticsNo": logistics_no, "copNo": cop_no,
            "payTransactionId": pay_transaction_id, "ebpCode": ebp_code, "payCode": pay_code,
            "logisticsCode": logistics_code, "agentCode": agent_code}


COP_NO_LENGTH = 20  # a CEB copNo has at most 20 characters


def cop_number(namespace: str, sequence: int, mark: str = "") -> str:
    """An inventory list's copNo (the agent's own number for it), unique within `namespace`: two
    generator processes declaring for one agent never give two lists the same copNo."""
    digits = COP_NO_LENGTH - len(namespace) - len(mark)
    return f"{namespace}{mark}{sequence % 10**digits:0{digits}d}"


class GuidSource:
    """Upper-case, UUID-shaped guids: a random prefix drawn once from the seeded generator, then a
    counter in the last 48 bits. Reproducible, unique per source, and cheap on the hot path."""

    def __init__(self, rng: random.Random) -> None:
        h = f"{rng.getrandbits(80):020X}"
        self._prefix = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89AB'[int(h[16], 16) & 3]}{h[17:20]}-"
        self._count = 0

    def __call__(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count:012X}"


class ParcelFactory:
    """Makes consistent parcels. `namespace` keeps identifiers unique across generator processes."""

    def __init__(self, parties: Parties = Parties(), seed: int = 0, namespace: str = "P0",
                 trade_mode: TradeMode = TradeMode.BONDED, declaring: Declaring = Declaring()) -> None:
        self.parties = parties
        self.trade_mode = trade_mode
        self.namespace = namespace
        self.declaring = declaring
        self._rng = random.Random(f"{seed}/{namespace}")
        self._faker = Faker("zh_CN")
        self._faker.seed_instance(self._rng.getrandbits(64))
        self.guid = GuidSource(self._rng)
        self._sequence = 0
        # The one buyer of this factory's over-annual-limit parcels, and what that buyer has
        # spent: the parcels that still fit the year's quota are clean, the rest the defect.
        self._heavy_buyer = make_id_number("500103", dt.date(1980, 1, 1), self._rng.randint(0, 999))
        self._heavy_spent = Decimal(0)

    def make(self, now: dt.datetime, defect: ParcelDefect | None = None, buyer: Buyer | None = None) -> Parcel:
        """The next parcel, declared at `now` (China time), optionally with a defect; its buyer is
        `buyer`, else the registry's next account, else a synthetic one."""
        self._sequence += 1
        seq = self._sequence
        rng, fake, p, declaring = self._rng, self._faker, self.parties, self.declaring
        app_time = now.strftime(_APP_TIME)
        order_no = f"{self.namespace}{now:%y%m%d}{seq:010d}"
        logistics_no = f"{self.namespace}CQ{seq:010d}"
        if buyer is None and declaring.buyers:
            buyer = declaring.buyer(seq)
        if buyer is None:
            buyer = Buyer(fake.name(), "1", make_id_number(
                rng.choice(AREA_CODES), dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                rng.randint(0, 999)), fake.phone_number())
        address = fake.address()

        goods = rng.sample(CATALOGUE, rng.randint(1, 3))
        quantities = [rng.randint(1, 3) for _ in goods]
        if defect is ParcelDefect.OVER_TRANSACTION_LIMIT:
            goods, quantities = [CATALOGUE[4]], [5]
        elif defect is ParcelDefect.OVER_ANNUAL_LIMIT:  # about 4,500 CNY a parcel
            goods, quantities = [CATALOGUE[4]], [4]
            buyer = declaring.buyer(0) if declaring.buyers else replace(buyer, id_number=self._heavy_buyer)
        elif sum(g.price * q for g, q in zip(goods, quantities)) > Decimal("4500"):
            goods, quantities = goods[:1], [1]  # stay under the per-transaction limit
        goods_value = sum((g.price * q for g, q in zip(goods, quantities)), Decimal(0))
        freight = Decimal(rng.choice((0, 5, 8, 10, 15))).quantize(CENT)
        tax = retail_import_tax(goods_value, freight)
        paid = goods_value + freight + tax
        net_kg = sum((g.net_kg * q for g, q in zip(goods, quantities)), Decimal(0))
        gross_kg = (net_kg * Decimal("1.2")).quantize(CENT)

        buyer_name, buyer_id, phone, note = buyer.name, buyer.id_number, buyer.telephone, declaring.note

        def head() -> DeclarationHead:
            return DeclarationHead(guid=self.guid(), app_type=AppType.NEW.value, app_time=app_time,
                                   app_status=declaring.app_status)

        order = Order(
            head=head(), order_type="I", order_no=order_no, ebp_code=p.platform.code,
            ebp_name=p.platform.name, ebc_code=p.platform.code, ebc_name=p.platform.name,
            goods_value=goods_value, freight=freight, discount=Decimal("0.00"), tax_total=tax,
            actural_paid=paid, currency="142", buyer_reg_no=f"u{rng.getrandbits(40):x}",
            buyer_name=buyer_name, buyer_telephone=phone, buyer_id_type=buyer.id_type, buyer_id_number=buyer_id,
            pay_code=p.payment.code, pay_name=p.payment.name,
            pay_transaction_id=f"PAY{self.namespace}{seq:012d}", consignee=buyer_name,
            consignee_telephone=phone, consignee_address=address,
            items=tuple(OrderItem(gnum=str(i), item_no=g.item_no, item_name=g.name, unit=g.unit,
                                  qty=Decimal(q), price=g.price, total_price=g.price * q,
                                  country="502", bar_code="无")
                        for i, (g, q) in enumerate(zip(goods, quantities), start=1)), note=note)
        payment = Payment(
            head=head(), pay_code=p.payment.code, pay_name=p.payment.name,
            pay_transaction_id=order.pay_transaction_id, order_no=order_no, ebp_code=p.platform.code,
            ebp_name=p.platform.name, payer_id_type=buyer.id_type, payer_id_number=buyer_id,
            payer_name=buyer_name, telephone=phone, amount_paid=paid, currency="142", pay_time=app_time, note=note)
        waybill = Waybill(
            head=head(), logistics_code=p.logistics.code, logistics_name=p.logistics.name,
            logistics_no=logistics_no, order_no=order_no, freight=freight, insured_fee=Decimal("0.00"),
            currency="142", weight=gross_kg, pack_no="1", goods_info="包裹", consignee=buyer_name,
            consignee_address=address, consignee_telephone=phone, note=note)
        inventory = InventoryList(
            head=head(), order_no=order_no, ebp_code=p.platform.code, ebp_name=p.platform.name,
            ebc_code=p.platform.code, ebc_name=p.platform.name, logistics_no=logistics_no,
            logistics_code=p.logistics.code, logistics_name=p.logistics.name,
            cop_no=cop_number(self.namespace, seq), assure_code=p.platform.code,
            ems_no=p.ems_no if self.trade_mode is TradeMode.BONDED else "", ie_flag="I",
            decl_time=f"{now:%Y%m%d}", customs_code=p.customs_code, port_code=p.port_code,
            ie_date=f"{now:%Y%m%d}", buyer_id_type=buyer.id_type, buyer_id_number=buyer_id, buyer_name=buyer_name,
            buyer_telephone=phone, consignee_address=address, agent_code=p.agent.code,
            agent_name=p.agent.name,
            area_code=p.area_code if self.trade_mode is TradeMode.BONDED else "",
            area_name=p.area_name if self.trade_mode is TradeMode.BONDED else "",
            trade_mode=self.trade_mode.value,
            traf_mode="Y" if self.trade_mode is TradeMode.BONDED else "5",
            traf_no="" if self.trade_mode is TradeMode.BONDED else f"CA{rng.randint(100, 999)}",
            voyage_no="" if self.trade_mode is TradeMode.BONDED else f"V{now:%m%d}",
            bill_no=f"BL{self.namespace}{seq:08d}",
            country="142" if self.trade_mode is TradeMode.BONDED else "502",
            freight=freight, insured_fee=Decimal("0.00"), currency="142", wrap_type="2", pack_no="1",
            gross_weight=gross_kg, net_weight=net_kg,
            items=tuple(InventoryItem(gnum=str(i), item_record_no=g.item_no, item_no=g.item_no,
                                      item_name=g.name, gcode=g.gcode, gname=g.name, country="502",
                                      qty=Decimal(q), unit=g.unit, qty1=g.net_kg * q, unit1="035",
                                      price=g.price, total_price=g.price * q)
                        for i, (g, q) in enumerate(zip(goods, quantities), start=1)), note=note)
        if defect is ParcelDefect.OVER_ANNUAL_LIMIT:
            self._heavy_spent += paid
            if self._heavy_spent <= ANNUAL_LIMIT_CNY:
                defect = None  # the buyer's first parcels of the year still fit
        return _apply_defect(Parcel(seq, order, payment, waybill, inventory, defect), self._other_id)

    def _other_id(self, id_number: str) -> str:
        """A buyer's ID number that is not `id_number`: another of the registry's accounts, or a
        synthetic one (another birth serial, same area)."""
        others = (b.id_number for b in self.declaring.buyers if b.id_number != id_number)
        return next(others, None) or _other_id(id_number)


def _apply_defect(parcel: Parcel, other_id: Callable[[str], str]) -> Parcel:
    defect = parcel.defect
    if defect is ParcelDefect.BAD_ID_CHECK_DIGIT:
        good = parcel.order.buyer_id_number
        wrong = next(c for c in "0123456789X" if c != check_character(good[:17]))
        bad = good[:17] + wrong
        return replace(parcel, order=replace(parcel.order, buyer_id_number=bad),
                       payment=replace(parcel.payment, payer_id_number=bad),
                       inventory_list=replace(parcel.inventory_list, buyer_id_number=bad))
    if defect is ParcelDefect.PAYMENT_AMOUNT_MISMATCH:
        return replace(parcel, payment=replace(parcel.payment,
                                               amount_paid=parcel.payment.amount_paid - Decimal("1.00")))
    if defect is ParcelDefect.CONSIGNEE_MISMATCH:
        return replace(parcel, waybill=replace(parcel.waybill, consignee=parcel.waybill.consignee + "某"))
    order, lst = parcel.order, parcel.inventory_list
    if defect is ParcelDefect.ORDER_AMOUNT_MISMATCH:  # the payment agrees with the wrong total
        paid = order.actural_paid + Decimal("1.00")
        return replace(parcel, order=replace(order, actural_paid=paid),
                       payment=replace(parcel.payment, amount_paid=paid))
    if defect is ParcelDefect.WRONG_TAX:  # tax left out, everything else consistent
        paid = order.goods_value + order.freight - order.discount
        return replace(parcel, order=replace(order, tax_total=Decimal("0.00"), actural_paid=paid),
                       payment=replace(parcel.payment, amount_paid=paid))
    other = other_id(order.buyer_id_number)
    if defect is ParcelDefect.PAYER_NOT_BUYER:
        return replace(parcel, payment=replace(parcel.payment, payer_id_number=other))
    if defect is ParcelDefect.LIST_BUYER_MISMATCH:
        return replace(parcel, inventory_list=replace(lst, buyer_id_number=other))
    if defect is ParcelDefect.JOIN_KEY_MISMATCH:
        return replace(parcel, inventory_list=replace(lst, ebc_code="5001960999", assure_code=lst.ebp_code))
    if defect is ParcelDefect.BAD_ASSURE_CODE:
        return replace(parcel, inventory_list=replace(lst, assure_code="5001969999"))
    if defect is ParcelDefect.MISSING_TRADE_MODE_FIELD:
        field = "ems_no" if lst.trade_mode == TradeMode.BONDED.value else "voyage_no"
        return replace(parcel, inventory_list=replace(lst, **{field: ""}))
    if defect is ParcelDefect.OFF_POSITIVE_LIST:  # arms and ammunition are never on it
        item = replace(lst.items[0], gcode="9303201000", gname="猎枪")
        return replace(parcel, inventory_list=replace(lst, items=(item, *lst.items[1:])))
    return parcel


def _other_id(id_number: str) -> str:
    """A valid resident ID number that is not `id_number` (another birth serial, same area)."""
    serial = (int(id_number[14:17]) + 1) % 1000
    body = f"{id_number[:14]}{serial:03d}"
    return body + check_character(body)
