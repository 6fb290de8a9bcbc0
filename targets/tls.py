"""The client TLS context a profile asks for, for every connection peakload makes to a target."""

from __future__ import annotations

import os
import ssl

from targets.profile import ProfileError, TlsSettings


def client_context(tls: TlsSettings) -> ssl.SSLContext:
    """The platform's certificate verified against the system's CAs or `ca_bundle` (unless `verify`
    is off), and a client certificate for mutual TLS. (In a generator process Locust has patched
    `ssl` with gevent's, so the same context is cooperative there.)"""
    try:
        context = ssl.create_default_context(cafile=str(tls.ca_bundle) if tls.ca_bundle else None)
        if not tls.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if tls.client_certificate is not None:
            password = None
            if tls.client_key_password_env is not None:
                if tls.client_key_password_env not in os.environ:
                    raise ProfileError(f"tls.client_key_password_env: environment variable "
                                       f"{tls.client_key_password_env} is not set")
                password = os.environ[tls.client_key_password_env]
            context.load_cert_chain(str(tls.client_certificate),
                                    str(tls.client_key) if tls.client_key else None, password)
    except (OSError, ssl.SSLError) as exc:  # a missing or unreadable file, a wrong password
        raise ProfileError(f"tls: cannot load the CA bundle or client certificate: {exc}") from None
    return context
