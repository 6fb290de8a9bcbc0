"""Enumerations of the CEB message standard (docs/domain.md, "The messages" and "Receipts and statuses").

Every state, message kind and code the platform and the load generator exchange is one of these,
never a bare string.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum, IntEnum

CEB_NAMESPACE = "http://www.chinaport.gov.cn/ceb"
DXP_NAMESPACE = "http://www.chinaport.gov.cn/dxp"
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # every CEB and DXP time is China time


class Direction(str, Enum):
    """Which way goods cross the border: it decides the platform a message goes to."""

    IMPORT = "import"
    EXPORT = "export"


class TransportKind(str, Enum):
    """How messages travel between an enterprise and the platform."""

    CEB_HTTP = "ceb-http"  # this project's HTTP contract (POST /ceb/messages, GET /ceb/receipts)
    EPORT = "eport"  # the e-port report channel (POST /cebcmsg, receipts pulled by DXP id)
    DXP_FOLDER = "dxp-folder"  # DxpMsg files in a DXP client's send and receive folders


# The export messages of the standard (出口: orders, collections, waybills, arrivals, departures,
# lists, cancels, consolidated waybills, summaries, and their receipts); every other type is import.
_EXPORT_CODES = frozenset({"CEB303", "CEB304", "CEB403", "CEB404", "CEB505", "CEB506", "CEB507", "CEB508",
                           "CEB509", "CEB510", "CEB603", "CEB604", "CEB605", "CEB606", "CEB607", "CEB608",
                           "CEB701", "CEB702", "CEB792"})


class MessageType(str, Enum):
    """A CEB message type, named by the number in its root element (`CEB311Message`)."""

    ORDER = "CEB311"
    ORDER_RECEIPT = "CEB312"
    PAYMENT = "CEB411"
    PAYMENT_RECEIPT = "CEB412"
    WAYBILL = "CEB511"
    WAYBILL_RECEIPT = "CEB512"
    WAYBILL_STATUS = "CEB513"
    WAYBILL_STATUS_RECEIPT = "CEB514"
    INVENTORY_LIST = "CEB621"
    INVENTORY_LIST_RECEIPT = "CEB622"
    INVENTORY_CANCEL = "CEB623"
    INVENTORY_CANCEL_RECEIPT = "CEB624"
    INVENTORY_RETURN = "CEB625"
    INVENTORY_RETURN_RECEIPT = "CEB626"
    ARRIVAL = "CEB711"
    ARRIVAL_RECEIPT = "CEB712"
    TAX_BILL = "CEB816"
    FORMAT_ERROR_RECEIPT = "CEB900"
    # export (出口)
    EXPORT_ORDER = "CEB303"
    EXPORT_ORDER_RECEIPT = "CEB304"
    COLLECTION = "CEB403"  # 收款单
    COLLECTION_RECEIPT = "CEB404"
    EXPORT_WAYBILL = "CEB505"
    EXPORT_WAYBILL_RECEIPT = "CEB506"
    PORT_ARRIVAL = "CEB507"  # 运抵单
    PORT_ARRIVAL_RECEIPT = "CEB508"
    DEPARTURE = "CEB509"  # 离境单
    DEPARTURE_RECEIPT = "CEB510"
    EXPORT_LIST = "CEB603"
    EXPORT_LIST_RECEIPT = "CEB604"
    EXPORT_CANCEL = "CEB605"
    EXPORT_CANCEL_RECEIPT = "CEB606"
    CONSOLIDATED_WAYBILL = "CEB607"  # 总分单
    CONSOLIDATED_WAYBILL_RECEIPT = "CEB608"
    SUMMARY_APPLICATION = "CEB701"  # 汇总申请单
    SUMMARY_APPLICATION_RECEIPT = "CEB702"
    SUMMARY_RESULT = "CEB792"

    @property
    def root_tag(self) -> str:
        """The local name of the message's root element."""
        return f"{self.value}Message"

    @property
    def direction(self) -> Direction:
        """Import or export (the CEB900 format-error receipt counts as import: it answers both)."""
        return Direction.EXPORT if self.value in _EXPORT_CODES else Direction.IMPORT

    @classmethod
    def from_root_tag(cls, local_name: str) -> MessageType:
        """The message type whose root element is `local_name`; ValueError if none is."""
        if not local_name.endswith("Message"):
            raise ValueError(local_name)
        return cls(local_name.removesuffix("Message"))


class AppType(str, Enum):
    """`appType`: what a declaration does to the document it names."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


class AppStatus(str, Enum):
    """`appStatus`: 1 stored at the e-port only (暂存), 2 declared to customs."""

    STORED = "1"
    DECLARED = "2"


class TradeMode(str, Enum):
    """Customs trade mode (监管方式) of an inventory list."""

    DIRECT_MAIL = "9610"  # 直购进口 / 一般出口
    BONDED = "1210"  # 网购保税
    B2B_DIRECT_EXPORT = "9710"  # 跨境电商B2B直接出口
    EXPORT_OVERSEAS_WAREHOUSE = "9810"  # 跨境电商出口海外仓


class ReturnStatus(IntEnum):
    """`returnStatus` of a receipt (docs/domain.md, "Receipts and statuses")."""

    STORED = 1
    DECLARING = 2  # 申报中
    SENT_TO_CUSTOMS = 3
    SEND_FAILED = 4
    REJECTED = 100  # 退单
    ACCEPTED = 120  # 入库
    MANUAL_REVIEW = 300
    CLEARED = 399  # 审结
    INSPECTION = 500  # 查验
    DETAINED_CLEARANCE = 501  # 扣留: handed to clearance
    DETAINED_ANTI_SMUGGLING = 502  # 扣留: handed to anti-smuggling
    DETAINED_LEGAL = 503  # 扣留: handed to legal
    DETAINED_OTHER = 599  # 扣留: other
    RETURNED_ABROAD = 700  # 退运
    RELEASED = 800  # 放行
    CLOSED = 899  # 结关

    @property
    def is_final_for_inventory(self) -> bool:
        """True once an inventory list can move no further in the import workflow."""
        return self in (ReturnStatus.REJECTED, ReturnStatus.RELEASED, ReturnStatus.CLOSED,
                        ReturnStatus.RETURNED_ABROAD)
