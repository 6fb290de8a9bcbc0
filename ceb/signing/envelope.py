"""The enveloped XML signature of a CEB message: inserting it (signing) and reading it back.

The CEB variant of XML-DSig is narrow and fixed: inclusive C14N 1.0, one Reference to the whole
message (URI="") with the enveloped-signature transform, KeyName and X509Certificate in KeyInfo.
It is assembled here with lxml rather than signxml because signxml has no SM2 (nor the China
E-Port's algorithm URIs) and the variants real senders produce (below) need control over the
digest; one code path then serves RSA and SM2 alike.

Where the Signature goes: the last child of the message root for import messages (after
ExtendMessage), before ExtendMessage for export messages (their schema puts ExtendMessage last).

Digests a verifier accepts: the W3C one (the message with the Signature element removed, the
whitespace after it kept), and the e-port card client's, which digests the message as it was before
the Signature and the newline after it were inserted. A message with comments is also checked with
comments kept, as one published sender canonicalizes WithComments.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree

from ceb.signing.algorithms import (C14N, CANONICALIZATIONS, DIGEST_METHODS, ENVELOPED_SIGNATURE,
                                    SIGNATURE_METHODS, XMLDSIG_NS, DigestAlgorithm, SignatureAlgorithm)
from ceb.signing.errors import SignatureProblem, SignatureRejected, SigningError
from ceb.signing.keys import SigningKey
from ceb.types import Direction, MessageType

_DS = "{%s}" % XMLDSIG_NS
_Named = TypeVar("_Named")
_parsers = threading.local()


def parse_message(xml: bytes) -> etree._Element:
    """The root of untrusted message XML (no DTD, no entities, no network); ValueError if not XML."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise ValueError("DTDs and entity declarations are not accepted")
    parser = getattr(_parsers, "parser", None)
    if parser is None:  # lxml parsers are not thread-safe: one per thread
        parser = _parsers.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                   huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise ValueError("empty document")
    return root


def sign_message(xml: bytes, key: SigningKey) -> bytes:
    """The CEB message `xml` with `key`'s enveloped ds:Signature inserted at its schema place
    (UTF-8, with an XML declaration if `xml` had one). RSA signatures are deterministic."""
    try:
        root = parse_message(xml)
    except ValueError as exc:
        raise SigningError(f"cannot sign: {exc}") from None
    if root.find(_DS + "Signature") is not None:
        raise SigningError("the message is already signed")
    signature, digest_value, signature_value = _signature_element(key)
    _insert(root, signature, _signature_index(root))
    digest_value.text = _b64(key.algorithm.digest.hash(_canonical_without(signature, keep_tail=True)))
    signature_value.text = _b64(key.sign(etree.tostring(signature[0], method="c14n")))
    declared = xml.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<?xml")
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=declared)


@dataclass(frozen=True)
class EnvelopedSignature:
    """A message's ds:Signature, read and checked for form (not yet for trust or validity)."""

    element: etree._Element = field(repr=False)
    algorithm: SignatureAlgorithm
    digest: DigestAlgorithm
    digest_value: bytes
    signed_info: bytes = field(repr=False)  # the canonical SignedInfo: what SignatureValue signs
    signature_value: bytes = field(repr=False)
    certificate_der: bytes = field(repr=False)

    def digest_matches(self) -> bool:
        """True if the message's digest, in one of the accepted forms, is the signed DigestValue."""
        return any(hmac.compare_digest(self.digest.hash(canonical), self.digest_value)
                   for canonical in self._canonical_forms())

    def _canonical_forms(self) -> Iterator[bytes]:
        tail = self.element.tail
        has_comments = bool(self.element.getroottree().xpath("//comment()"))
        for with_comments in (False, True) if has_comments else (False,):
            yield _canonical_without(self.element, keep_tail=True, with_comments=with_comments)
            if tail and tail.isspace():
                yield _canonical_without(self.element, keep_tail=False, with_comments=with_comments)


def read_signature(root: etree._Element) -> EnvelopedSignature | None:
    """The enveloped signature of the message `root`, None if it has none; SignatureRejected
    (MALFORMED, UNSUPPORTED_ALGORITHM) if it cannot be checked."""
    found = root.findall(_DS + "Signature")
    if not found:
        return None
    if len(found) > 1:
        raise _malformed("more than one ds:Signature")
    signature = found[0]
    signed_info = _required(signature, "SignedInfo")
    with_comments = _algorithm(signed_info, "CanonicalizationMethod", CANONICALIZATIONS)
    algorithm = _algorithm(signed_info, "SignatureMethod", SIGNATURE_METHODS)
    references = signed_info.findall(_DS + "Reference")
    if len(references) != 1:
        raise _malformed(f"{len(references)} ds:Reference elements, expected one")
    reference = references[0]
    if reference.get("URI") != "":
        raise SignatureRejected(SignatureProblem.UNSUPPORTED_ALGORITHM,
                                f"Reference URI {reference.get('URI')!r}: only the whole message (URI=\"\") is signed")
    transforms = [t.get("Algorithm") for t in reference.iterfind(f"{_DS}Transforms/{_DS}Transform")]
    if ENVELOPED_SIGNATURE not in transforms:
        raise SignatureRejected(SignatureProblem.UNSUPPORTED_ALGORITHM, "no enveloped-signature transform")
    unknown = [t for t in transforms if t != ENVELOPED_SIGNATURE and t not in CANONICALIZATIONS]
    if unknown:
        raise SignatureRejected(SignatureProblem.UNSUPPORTED_ALGORITHM, f"transform {unknown[0]}")
    digest = _algorithm(reference, "DigestMethod", DIGEST_METHODS)
    return EnvelopedSignature(
        element=signature, algorithm=algorithm, digest=digest,
        digest_value=_base64_of(reference, "DigestValue"),
        signed_info=etree.tostring(signed_info, method="c14n", with_comments=with_comments),
        signature_value=_base64_of(signature, "SignatureValue"),
        certificate_der=_base64_of(signature, f"KeyInfo/{_DS}X509Data/{_DS}X509Certificate"))


def _signature_element(key: SigningKey) -> tuple[etree._Element, etree._Element, etree._Element]:
    """A ds:Signature laid out like the standard's samples (a newline between elements), and its
    DigestValue and SignatureValue elements, still empty."""
    signature = etree.Element(_DS + "Signature", nsmap={"ds": XMLDSIG_NS})
    signed_info = _child(signature, "SignedInfo")
    _child(signed_info, "CanonicalizationMethod", Algorithm=C14N)
    _child(signed_info, "SignatureMethod", Algorithm=key.algorithm.method_uri)
    reference = _child(signed_info, "Reference", URI="")
    _child(_child(reference, "Transforms"), "Transform", Algorithm=ENVELOPED_SIGNATURE)
    _child(reference, "DigestMethod", Algorithm=key.algorithm.digest.uri)
    digest_value = _child(reference, "DigestValue")
    signature_value = _child(signature, "SignatureValue")
    key_info = _child(signature, "KeyInfo")
    _child(key_info, "KeyName").text = key.key_name
    _child(_child(key_info, "X509Data"), "X509Certificate").text = _b64(key.certificate_der)
    return signature, digest_value, signature_value


def _child(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    parent.text = "\n"
    element = etree.SubElement(parent, _DS + name, attributes)
    element.tail = "\n"
    return element


def _signature_index(root: etree._Element) -> int:
    if is_export(root):
        for index, child in enumerate(root):
            if isinstance(child.tag, str) and etree.QName(child).localname == "ExtendMessage":
                return index
    return len(root)


def is_export(root: etree._Element) -> bool:
    """True if `root` is an export message (by its root element)."""
    try:
        message_type = MessageType.from_root_tag(etree.QName(root).localname)
    except ValueError:
        return False
    return message_type.direction is Direction.EXPORT


def _insert(root: etree._Element, element: etree._Element, index: int) -> None:
    """Insert `element` at `index`, indented like its siblings."""
    if index == 0:
        element.tail = root.text
    else:
        previous = root[index - 1]
        element.tail = previous.tail
        previous.tail = root[index - 2].tail if index >= 2 else root.text
    root.insert(index, element)


@contextmanager
def _removed(element: etree._Element, keep_tail: bool) -> Iterator[None]:
    """The document without `element` for the duration; `keep_tail` leaves the text after it in place."""
    parent = element.getparent()
    index = parent.index(element)
    tail = element.tail
    previous = element.getprevious()
    before = previous.tail if previous is not None else parent.text
    if keep_tail and tail:
        if previous is not None:
            previous.tail = (before or "") + tail
        else:
            parent.text = (before or "") + tail
    parent.remove(element)
    try:
        yield
    finally:
        parent.insert(index, element)
        element.tail = tail
        if previous is not None:
            previous.tail = before
        else:
            parent.text = before


def _canonical_without(element: etree._Element, keep_tail: bool, with_comments: bool = False) -> bytes:
    """The inclusive C14N of the whole document with `element` removed."""
    document = element.getroottree()
    with _removed(element, keep_tail):
        return etree.tostring(document, method="c14n", with_comments=with_comments)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _malformed(detail: str) -> SignatureRejected:
    return SignatureRejected(SignatureProblem.MALFORMED, detail)


def _required(parent: etree._Element, path: str) -> etree._Element:
    element = parent.find(_DS + path)
    if element is None:
        raise _malformed(f"ds:Signature lacks ds:{path.replace(_DS, 'ds:')}")
    return element


def _algorithm(parent: etree._Element, name: str, known: dict[str, _Named]) -> _Named:
    uri = _required(parent, name).get("Algorithm")
    if uri not in known:
        raise SignatureRejected(SignatureProblem.UNSUPPORTED_ALGORITHM, f"{name} {uri!r}")
    return known[uri]


def _base64_of(parent: etree._Element, path: str) -> bytes:
    text = "".join((_required(parent, path).text or "").split())  # senders wrap base64 in lines
    try:
        value = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise _malformed(f"ds:{path.rsplit('}', 1)[-1]} is not base64") from None
    if not value:
        raise _malformed(f"ds:{path.rsplit('}', 1)[-1]} is empty")
    return value
