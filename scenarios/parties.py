"""The declaring parties of a scenario's parcels (docs/domain.md, "Who declares a parcel"): who sends what, and their codes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ceb.types import MessageType

CUSTOMS_CODE = r"^[0-9A-Z]{10}$"


class Enterprise(BaseModel):
    """A registered enterprise: 10-character customs code, name and DXP transport id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=CUSTOMS_CODE)
    name: str = Field(min_length=1)
    dxp_id: str = Field(min_length=1)


class Parties(BaseModel):
    """The four declaring parties of a parcel and the customs context; Chongqing by default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Enterprise = Enterprise(code="5001960001", name="重庆跨境优选电子商务有限公司",
                                      dxp_id="DXPENT0000500001")
    payment: Enterprise = Enterprise(code="5001960002", name="重庆渝付通支付有限公司",
                                     dxp_id="DXPENT0000500002")
    logistics: Enterprise = Enterprise(code="5001960003", name="重庆两江国际物流有限公司",
                                       dxp_id="DXPENT0000500003")
    agent: Enterprise = Enterprise(code="5001960004", name="重庆西永保税仓储有限公司",
                                   dxp_id="DXPENT0000500004")
    # 监管场所经营人: reports direct-mail parcels arrived at the supervised site (CEB711)
    operator: Enterprise = Enterprise(code="5001960005", name="重庆江北机场跨境监管中心",
                                      dxp_id="DXPENT0000500005")
    customs_code: str = Field("8000", pattern=r"^[0-9]{4}$")
    port_code: str = Field("8012", pattern=r"^[0-9]{4}$")
    area_code: str = "5001W60001"
    area_name: str = "重庆西永综合保税区"
    ems_no: str = "T8000W000001"  # the bonded account book (账册) lists draw on

    def sender_of(self, message_type: MessageType) -> Enterprise:
        """Which party sends a message type."""
        return {MessageType.ORDER: self.platform, MessageType.PAYMENT: self.payment,
                MessageType.WAYBILL: self.logistics, MessageType.WAYBILL_STATUS: self.logistics,
                MessageType.INVENTORY_LIST: self.agent, MessageType.INVENTORY_CANCEL: self.agent,
                MessageType.INVENTORY_RETURN: self.agent, MessageType.ARRIVAL: self.operator,
                MessageType.EXPORT_ORDER: self.platform, MessageType.COLLECTION: self.payment,
                MessageType.EXPORT_WAYBILL: self.logistics, MessageType.EXPORT_LIST: self.agent,
                MessageType.EXPORT_CANCEL: self.agent, MessageType.CONSOLIDATED_WAYBILL: self.agent,
                MessageType.SUMMARY_APPLICATION: self.agent, MessageType.PORT_ARRIVAL: self.operator,
                MessageType.DEPARTURE: self.logistics}[message_type]

    @property
    def receivers(self) -> tuple[str, ...]:
        """The codes whose receipt feeds a generator reads."""
        return (self.platform.code, self.payment.code, self.logistics.code, self.agent.code, self.operator.code)
