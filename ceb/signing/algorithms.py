"""The signature and digest algorithms of the CEB XML signature, and the URIs that name them.

The 2018 edition of the standard signs with RSA (rsa-sha1 on RSA-1024 cards, rsa-sha256 on
RSA-2048); the 2022 edition adds SM2 with SM3 under the China E-Port's own URIs. A verifier also
meets the URI the e-port's card client writes for SM2, `http://www.w3.org/2000/09/xmldsig#sm2-sm3`
(not a W3C algorithm), which that client pairs with a SHA-1 digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from enum import StrEnum

from cryptography.hazmat.primitives import hashes

XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS = C14N + "#WithComments"
ENVELOPED_SIGNATURE = XMLDSIG_NS + "enveloped-signature"

_CHINAPORT_2022 = "http://www.chinaport.gov.cn/2022/04/xmldsig#"


class SignatureAlgorithm(StrEnum):
    """How a message is signed: the key type and the hash of its signature."""

    RSA_SHA1 = "rsa-sha1"
    RSA_SHA256 = "rsa-sha256"
    SM2_SM3 = "sm2-sm3"

    @property
    def is_sm2(self) -> bool:
        return self is SignatureAlgorithm.SM2_SM3

    @property
    def method_uri(self) -> str:
        """The SignatureMethod URI this project writes."""
        return _METHOD_URIS[self]

    @property
    def digest(self) -> DigestAlgorithm:
        """The DigestMethod this project writes with the algorithm (SHA-1 with rsa-sha1, as the
        2018 edition and the 2022 edition's RSA option do)."""
        return _DIGEST_OF[self]


class DigestAlgorithm(StrEnum):
    """The hash of a Reference's DigestValue."""

    SHA1 = "sha1"
    SHA256 = "sha256"
    SM3 = "sm3"

    @property
    def uri(self) -> str:
        return _DIGEST_URIS[self]

    def hash(self, data: bytes) -> bytes:
        return _HASHERS[self](data)


_METHOD_URIS = {
    SignatureAlgorithm.RSA_SHA1: XMLDSIG_NS + "rsa-sha1",
    SignatureAlgorithm.RSA_SHA256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    SignatureAlgorithm.SM2_SM3: _CHINAPORT_2022 + "sm2-sm3",
}
_DIGEST_OF = {
    SignatureAlgorithm.RSA_SHA1: DigestAlgorithm.SHA1,
    SignatureAlgorithm.RSA_SHA256: DigestAlgorithm.SHA256,
    SignatureAlgorithm.SM2_SM3: DigestAlgorithm.SM3,
}
_DIGEST_URIS = {
    DigestAlgorithm.SHA1: XMLDSIG_NS + "sha1",
    DigestAlgorithm.SHA256: "http://www.w3.org/2001/04/xmlenc#sha256",
    DigestAlgorithm.SM3: _CHINAPORT_2022 + "sm3",
}


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


_HASHERS: dict[DigestAlgorithm, Callable[[bytes], bytes]] = {
    DigestAlgorithm.SHA1: lambda data: hashlib.sha1(data).digest(),
    DigestAlgorithm.SHA256: lambda data: hashlib.sha256(data).digest(),
    DigestAlgorithm.SM3: _sm3,
}

# Every URI a verifier accepts, including the card client's SM2 URI.
SIGNATURE_METHODS: dict[str, SignatureAlgorithm] = {
    **{uri: algorithm for algorithm, uri in _METHOD_URIS.items()},
    XMLDSIG_NS + "sm2-sm3": SignatureAlgorithm.SM2_SM3,
}
DIGEST_METHODS: dict[str, DigestAlgorithm] = {uri: digest for digest, uri in _DIGEST_URIS.items()}
CANONICALIZATIONS: dict[str, bool] = {C14N: False, C14N_WITH_COMMENTS: True}  # URI -> with comments
