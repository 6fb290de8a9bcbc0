"""SM2 signatures with SM3 (GM/T 0003, GM/T 0009) through tongsuopy, the Tongsuo project's
binding of its OpenSSL fork.

Every signature here hashes SM3(Z || message), where Z digests the signer's public key with the
GM/T 0009 default user id "1234567812345678": tongsuopy applies that id by default, and so do the
e-port's card client and GmSSL (checked against both). The CEB platforms carry an SM2
SignatureValue as the base64 of the raw 64 bytes r || s (what the card client returns), while X.509
certificates carry DER; `sign` gives the raw form, `sign_der` the DER form, and `verify` takes either.

tongsuopy publishes wheels for Linux x86-64, macOS and Windows only; elsewhere it is not installed
(see pyproject.toml), `AVAILABLE` is False, and SM2 keys are refused with a SigningError.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ceb.signing.errors import SigningError

try:
    from tongsuopy.crypto import hashes as _hashes
    from tongsuopy.crypto import serialization as _serialization
    from tongsuopy.crypto.asymciphers import ec as _ec
    from tongsuopy.crypto.exceptions import InternalError
    from tongsuopy.crypto.exceptions import InvalidSignature as _TongsuoInvalidSignature
except ImportError:  # no tongsuopy build for this platform
    AVAILABLE = False

    class Sm2PrivateKey:  # stand-ins no value is ever an instance of
        pass

    class Sm2PublicKey:
        pass
else:
    AVAILABLE = True
    Sm2PrivateKey = _ec.EllipticCurvePrivateKey
    Sm2PublicKey = _ec.EllipticCurvePublicKey

UNAVAILABLE = "SM2 needs the tongsuopy package, which has no build for this platform"

SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
# SubjectPublicKeyInfo of an SM2 key up to its uncompressed point: id-ecPublicKey, curve SM2
# (1.2.156.10197.1.301), BIT STRING, 0x04; the 64 bytes x || y follow.
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")
_POINT_SIZE = 64
_SCALAR_SIZE = 32


def _algorithm() -> _ec.ECDSA:
    return _ec.ECDSA(_hashes.SM3())


def _require() -> None:
    if not AVAILABLE:
        raise SigningError(UNAVAILABLE)


def generate_private_key() -> Sm2PrivateKey:
    _require()
    return _ec.generate_private_key(_ec.SM2())


def load_pem_private_key(data: bytes, password: bytes | None) -> Sm2PrivateKey:
    """An SM2 private key from PEM (PKCS#8 or SEC1, encrypted when `password` is given)."""
    _require()
    try:
        key = _serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not a readable SM2 PEM private key (or a wrong password): {type(exc).__name__}") from None
    if not isinstance(key, Sm2PrivateKey) or key.curve.name.lower() != "sm2":
        raise SigningError("the key is not an SM2 key")
    return key


def private_key_pem(key: Sm2PrivateKey) -> bytes:
    return key.private_bytes(_serialization.Encoding.PEM, _serialization.PrivateFormat.PKCS8,
                             _serialization.NoEncryption())


def spki_der(public_key: Sm2PublicKey) -> bytes:
    return public_key.public_bytes(_serialization.Encoding.DER, _serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_der(der: bytes) -> Sm2PublicKey | None:
    """The SM2 public key in a certificate's (or a bare) SubjectPublicKeyInfo, None if it has none.

    cryptography parses SM2 certificates but not their keys, so the key is found by its fixed
    SubjectPublicKeyInfo encoding."""
    start = der.find(SPKI_PREFIX)
    if start < 0 or not AVAILABLE or len(der) < start + len(SPKI_PREFIX) + _POINT_SIZE:
        return None
    point = der[start + len(SPKI_PREFIX): start + len(SPKI_PREFIX) + _POINT_SIZE]
    try:
        return _ec.EllipticCurvePublicKey.from_encoded_point(_ec.SM2(), b"\x04" + point)
    except ValueError:
        return None


def sign_der(key: Sm2PrivateKey, data: bytes) -> bytes:
    """A DER-encoded SM2 signature of `data` (the form X.509 uses)."""
    return key.sign(data, _algorithm())


def sign(key: Sm2PrivateKey, data: bytes) -> bytes:
    """The raw r || s SM2 signature of `data` (the form CEB messages carry)."""
    r, s = decode_dss_signature(sign_der(key, data))
    return r.to_bytes(_SCALAR_SIZE, "big") + s.to_bytes(_SCALAR_SIZE, "big")


def verify(public_key: Sm2PublicKey, data: bytes, signature: bytes) -> bool:
    """True if `signature` (raw r || s, or DER) is `public_key`'s SM2 signature of `data`."""
    if len(signature) == 2 * _SCALAR_SIZE:
        r, s = int.from_bytes(signature[:_SCALAR_SIZE], "big"), int.from_bytes(signature[_SCALAR_SIZE:], "big")
    else:
        try:  # parsed here: Tongsuo answers a malformed DER signature with an internal error
            r, s = decode_dss_signature(signature)
        except ValueError:
            return False
    try:
        public_key.verify(encode_dss_signature(r, s), data, _algorithm())
    except (_TongsuoInvalidSignature, InvalidSignature, InternalError, ValueError):
        return False
    return True


def same_key(a: Sm2PublicKey, b: Sm2PublicKey) -> bool:
    return spki_der(a) == spki_der(b)
