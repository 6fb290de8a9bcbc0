"""The XML digital signature of CEB messages: signing (RSA-SHA1, RSA-SHA256, SM2-SM3), verifying
against trusted certificates, test credentials, and a client of remote signing services.

Pure: no I/O beyond the files and the signing service it is pointed at.
"""

from ceb.signing.algorithms import DigestAlgorithm, SignatureAlgorithm
from ceb.signing.envelope import sign_message
from ceb.signing.errors import SignatureProblem, SignatureRejected, SigningError
from ceb.signing.keys import SigningKey, load_signing_key, make_test_credentials
from ceb.signing.remote import RemoteSigner, RemoteSigningError
from ceb.signing.trust import TrustStore

__all__ = [
    "DigestAlgorithm",
    "RemoteSigner",
    "RemoteSigningError",
    "SignatureAlgorithm",
    "SignatureProblem",
    "SignatureRejected",
    "SigningError",
    "SigningKey",
    "TrustStore",
    "load_signing_key",
    "make_test_credentials",
    "sign_message",
]
