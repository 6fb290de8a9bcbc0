"""The one hardened XML parser every CEB and DXP reader uses.

Untrusted input: no DTD, no entity resolution, no network, libxml2's depth and size limits,
comments and processing instructions dropped.
"""

from __future__ import annotations

import threading

from lxml import etree

from ceb.errors import CebFormatError

_parsers = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe; one per thread.
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 dtd_validation=False, huge_tree=False, remove_comments=True,
                                 remove_pis=True)
        _parsers.parser = parser
    return parser


def parse_xml(body: bytes) -> etree._Element:
    """Parse untrusted XML bytes into an element tree, refusing DTDs and entity declarations."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise CebFormatError("dtd_forbidden", "DTDs and entity declarations are not accepted")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise CebFormatError("malformed_xml", f"not well-formed XML: {exc}") from None
    except ValueError as exc:  # e.g. an encoding declaration lxml refuses
        raise CebFormatError("malformed_xml", str(exc)) from None
    if root is None:
        raise CebFormatError("malformed_xml", "empty document")
    return root
