"""`peakload mock`: serve the mock platform."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mock_platform.customs import CustomsProfile, CustomsTiming
from mock_platform.positive_list import PositiveListError, load_positive_list
from mock_platform.backends import StorageUnavailable, backend_for, check_storage
from mock_platform.server import bind, serve
from mock_platform.settings import Limits, Settings
from peakload.commands.mock_transports import (DxpRootOption, TlsCertOption, TlsClientCaOption, TlsKeyOption,
                                               TransportOption, TransportOptionError, TrustOption,
                                               transport_settings)
from peakload.exit_codes import ExitCode


def mock(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).", min=0, max=65535)] = 8080,
    db: Annotated[str, typer.Option(
        help="SQLite database file, or a postgresql:// URL (credentials better in PGPASSWORD).")] = "mock-platform.db",
    port_file: Annotated[Path | None, typer.Option(help="Write the bound port here once listening.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of customs' random delays.")] = None,
    matching_timeout: Annotated[float, typer.Option(
        help="Seconds a list waits for its order, payment and waybill before it is rejected.",
        min=0.001)] = 60.0,
    capacity: Annotated[float | None, typer.Option(
        help="Messages/s the platform processes at most (default: as fast as it can).", min=0.001)] = None,
    queue_size: Annotated[int, typer.Option(
        help="Messages waiting or in progress before intake answers 429.", min=1)] = 256,
    body_timeout: Annotated[float, typer.Option(
        help="Seconds a client may take to send its body before it gets 408.", min=0.001)] = 5.0,
    header_timeout: Annotated[float, typer.Option(
        help="Seconds a client may take to send a request's headers (from connecting, or from the "
        "request's first byte) before it gets 408.", min=0.001)] = 10.0,
    max_connections: Annotated[int, typer.Option(
        help="Open connections at most; a request on one more gets 503.", min=1)] = 1024,
    admin_token: Annotated[str | None, typer.Option(
        envvar="PEAKLOAD_ADMIN_TOKEN", show_default=False,
        help="Bearer token of /admin/faults (off without one, or with an empty one); better given by "
        "the environment.")] = None,
    customs_profile: Annotated[CustomsProfile, typer.Option(
        help="Customs timings and branch ratios: fast (default), instant, realistic.")] = CustomsProfile.FAST,
    customs_compression: Annotated[float, typer.Option(
        help="Divide every customs delay (and the 30-day return window) by this.", min=0.001)] = 1.0,
    manual_review: Annotated[float | None, typer.Option(
        help="Share of accepted lists sent to manual review (300) (default: the profile's).", min=0.0, max=1.0)] = None,
    inspection: Annotated[float | None, typer.Option(
        help="Share of cleared lists inspected (500) (default: the profile's).", min=0.0, max=1.0)] = None,
    detention: Annotated[float | None, typer.Option(
        help="Share of inspected lists detained (5xx) (default: the profile's).", min=0.0, max=1.0)] = None,
    return_abroad: Annotated[float | None, typer.Option(
        help="Share of detained lists returned abroad (700) (default: the profile's).", min=0.0, max=1.0)] = None,
    per_transaction_limit: Annotated[float, typer.Option(
        help="CNY a buyer may pay in one parcel (财关税〔2018〕49号: 5000).", min=0.01)] = 5000.0,
    annual_limit: Annotated[float, typer.Option(
        help="CNY a buyer may clear per calendar year (26000).", min=0.01)] = 26000.0,
    amount_tolerance: Annotated[float, typer.Option(
        help="CNY by which paid amounts may differ (order identity, payment and collection equality).",
        min=0.0)] = 0.0,
    positive_list: Annotated[Path | None, typer.Option(
        help="A positive-list file (正面清单, HS prefixes) instead of the built-in excerpt.")] = None,
    pilot: Annotated[list[str] | None, typer.Option(
        help="Allow a pilot category of the positive list (repeatable), e.g. pet-food.")] = None,
    tally_first: Annotated[bool, typer.Option(
        "--tally-first", help="Every 1210 list needs tallied stock in its account book (先理货，后报关); "
        "otherwise only books that were tallied are checked.")] = False,
    arrival_required: Annotated[bool, typer.Option(
        "--arrival-required", help="9610 lists wait for their CEB711 arrival before release.")] = False,
    duplicate_receipts: Annotated[float, typer.Option(
        help="Share of receipts delivered twice (at-least-once delivery).", min=0.0, max=1.0)] = 0.0,
    reorder_receipts: Annotated[float, typer.Option(
        help="Share of receipts followed by a late resend of the previous one (older returnTime).",
        min=0.0, max=1.0)] = 0.0,
    transport: TransportOption = "ceb-http",
    dxp_root: DxpRootOption = None,
    tls_cert: TlsCertOption = None,
    tls_key: TlsKeyOption = None,
    tls_client_ca: TlsClientCaOption = None,
    trust: TrustOption = None,
) -> None:
    """Serve the mock CEB platform (intake, matching, receipts, workflow, /metrics)."""
    try:
        transports = transport_settings(transport, dxp_root, tls_cert, tls_key, tls_client_ca, trust)
    except TransportOptionError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    try:
        goods = load_positive_list(positive_list) if positive_list else load_positive_list()
    except PositiveListError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    unknown = set(pilot or ()) - goods.pilots
    if unknown:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] --pilot {', '.join(sorted(unknown))}: the positive list "
                                   f"defines {', '.join(sorted(goods.pilots)) or 'no pilots'}", highlight=False)
        raise typer.Exit(ExitCode.USAGE)
    preset = CustomsTiming.profile(customs_profile, customs_compression)
    chosen = {name: value for name, value in (("manual_review", manual_review), ("inspection", inspection),
                                              ("detention", detention), ("return_abroad", return_abroad))
              if value is not None}
    customs = preset.model_copy(update={"branches": preset.branches.model_copy(update=chosen)})
    settings = Settings(database=db, seed=seed, matching_timeout_s=matching_timeout,
                        capacity_msgs_per_s=capacity, queue_limit=queue_size, admin_token=admin_token,
                        body_timeout_s=body_timeout, head_timeout_s=header_timeout,
                        max_connections=max_connections, customs=customs,
                        limits=Limits(per_transaction_cny=Decimal(str(per_transaction_limit)),
                                      annual_cny=Decimal(str(annual_limit)),
                                      amount_tolerance_cny=Decimal(str(amount_tolerance))),
                        direct_mail_arrival_required=arrival_required,
                        receipt_duplicate_ratio=duplicate_receipts, receipt_reorder_ratio=reorder_receipts,
                        positive_list=goods, pilots=frozenset(pilot or ()), tally_first=tally_first,
                        **transports)
    try:
        check_storage(backend_for(settings.database, settings.sqlite_synchronous))
        sock = bind(host, port)
    except StorageUnavailable as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    except OSError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] cannot listen on {host}:{port}: {exc.strerror}",
                                   highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    serve(settings, sock, port_file)
