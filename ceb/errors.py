"""The one exception the CEB codec raises.

    ValueError
    └── CebFormatError   not a declaration this codec can read (code, detail, field)
"""

from __future__ import annotations


class CebFormatError(ValueError):
    """Input that is not a well-formed, complete CEB declaration.

    `code` is machine-readable (`malformed_xml`, `malformed_json`, `dtd_forbidden`, `unknown_root`,
    `unsupported_message_type`, `missing_field`, `bad_format`, `too_many_records`); `field` is the
    path of the element at fault, when one is.
    """

    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
