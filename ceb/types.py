"""Enumerations of the CEB message standard (DOMAIN.md §2-3).

Every state, message kind and code the platform and the load generator exchange is one of these,
never a bare string.
"""

from __future__ import annotations

from enum import Enum, IntEnum

CEB_NAMESPACE = "http://www.chinaport.gov.cn/ceb"
DXP_NAMESPACE = "http://www.chinaport.gov.cn/dxp"


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

    @property
    def root_tag(self) -> str:
        """The local name of the message's root element."""
        return f"{self.value}Message"

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

    DIRECT_MAIL = "9610"  # 直购进口
    BONDED = "1210"  # 网购保税


class ReturnStatus(IntEnum):
    """`returnStatus` of a receipt (DOMAIN.md §3)."""

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
