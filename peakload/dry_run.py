"""`peakload run --dry-run`: every message a run would send, planned, rendered, signed, framed for
its transport and read back as a platform reads it, and none sent. The figures per message type
(count, bytes, busiest second, the time they span), the errors found (a message the codec cannot
read back, a field too long, a signature that does not verify), the target's cap against the plan,
and the run's manifest, each document marked "not sent".

No connection is opened: no health probe, no mock, no signing service (a profile that signs through
one has its messages checked unsigned, and the figures say so). The plan is the generator's own,
`send_plan` for each of the run's processes, computed in this process without Locust or gevent.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table

from ceb.errors import CebFormatError
from ceb.signing import SignatureRejected, SigningError
from ceb.types import CHINA_TIME, MessageType
from locustfiles.identities import IdentityError, Registry, read_registry
from locustfiles.manifest import NOT_SENT, ManifestWriter, header, manifest_files, manifest_path
from locustfiles.parcels import Declaring
from locustfiles.rate_cap import busiest_window
from locustfiles.schedule import SendJob, send_plan
from locustfiles.signer import MessageSigner, signer_for
from peakload.caps import PlanTimes, cap_problems
from peakload.read_back import SignatureCheck, fault, framed, read_back
from scenarios.model import Scenario
from targets import ProfileError, TargetProfile, TransportKind
from targets.tls import client_context

FIGURES_FILE = "dry-run.json"
_MAX_FAULTS = 20  # kinds of fault listed one by one; the rest are counted


class TypeFigures(BaseModel):
    """What a run would send of one message type (or of all of them)."""

    model_config = ConfigDict(frozen=True)

    count: int
    bytes: int  # as framed for the transport (the envelope or JSON around the message included)
    peak_per_s: int  # the most due in any 1 s window, every generator process together
    first_s: float  # seconds after the run's start
    last_s: float


class DryRunFigures(BaseModel):
    """`dry-run.json`: a run's plan in figures, and what was found wrong with it."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    target: str  # as shown to users: never with credentials
    transport: str
    processes: int
    signing: str  # the algorithm, "unsigned", or why messages were not signed
    load_s: float  # the scenario's load phase
    last_message_s: float  # the last message's intended time
    drain_s: float  # at most this long after the last message, waiting for receipts
    message_types: dict[str, TypeFigures]
    total: TypeFigures
    max_rate: float | None = None
    max_messages: int | None = None
    clipped: str | None = None
    store_only: bool = False
    errors: list[str]
    manifests: list[str]  # file names in the run's folder: one per generator process, as a run writes them


class FolderInUse(ValueError):
    """The run's folder holds a run's manifest already: what a cleanup needs is never overwritten."""


@dataclass(frozen=True, slots=True)
class DryRunRequest:
    """What to plan: the scenario as the run would replay it, and where to."""

    scenario_path: Path
    scenario: Scenario
    out_dir: Path
    target: str  # as shown to users
    processes: int = 1
    profile: TargetProfile | None = None
    profile_path: Path | None = None
    store_only: bool = False  # appStatus 1 (stored), as `--store-only` or the profile's store_only asks
    clipped: str | None = None  # --clip-to-cap scaled the scenario already
    cap_problems: tuple[str, ...] | None = None  # the cap checked already (None: check it on this plan)


@dataclass(slots=True)
class _Tally:
    times: array = field(default_factory=lambda: array("d"))
    bytes: int = 0

    def figures(self) -> TypeFigures:
        times = sorted(self.times)
        return TypeFigures(count=len(times), bytes=self.bytes, peak_per_s=busiest_window(times),
                           first_s=round(times[0], 3) if times else 0.0, last_s=round(times[-1], 3) if times else 0.0)


class _Errors:
    """Errors grouped by message type and reason: the first message of each named, the rest counted."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: dict[tuple[str, str], list] = {}

    def add(self, job: SendJob, why: str) -> None:
        key = (job.message_type.value, why)
        if key in self._seen:
            self._seen[key][0] += 1
        else:
            self._seen[key] = [1, job.document_guid, job.intended_s]

    def lines(self) -> list[str]:
        kinds = list(self._seen.items())
        lines = [f"{self._path}: {kind} {guid} (due at {at:.3f} s): {why}"
                 + (f"; and {count - 1} more {kind} messages alike" if count > 1 else "")
                 for (kind, why), (count, guid, at) in kinds[:_MAX_FAULTS]]
        if len(kinds) > _MAX_FAULTS:
            rest = sum(count for _, (count, _, _) in kinds[_MAX_FAULTS:])
            lines.append(f"{self._path}: {rest} more messages with {len(kinds) - _MAX_FAULTS} other faults")
        return lines


def _signer(profile: TargetProfile | None) -> tuple[MessageSigner | None, str]:
    if profile is None or profile.signing is None:
        return None, "unsigned"
    if profile.signing.remote is not None:
        return None, "not signed: the profile signs through a signing service, which a dry run does not call"
    return signer_for(profile.signing), profile.signing.algorithm.value


def dry_run(request: DryRunRequest) -> DryRunFigures:
    """Plan, render, sign and read back every message of the run; write `dry-run.json` and the
    manifest into the run's folder; nothing is sent. FolderInUse when the folder holds a manifest."""
    profile, processes, out_dir = request.profile, request.processes, request.out_dir
    if manifest_files(out_dir):
        raise FolderInUse(f"{out_dir} already holds a run's manifest; give the dry run a folder of its own (--out)")
    scenario = profile.tagged(request.scenario) if profile else request.scenario
    errors = _Errors(request.scenario_path)
    setup_errors = _setup_problems(profile, request.profile_path)
    try:
        signer, signing = _signer(profile)
    except (ProfileError, SigningError) as exc:
        signer, signing = None, "not signed: the signing key could not be loaded"
        setup_errors.append(f"{request.profile_path}: signing: {exc}")
    try:
        registry = _registry(profile)
    except IdentityError as exc:
        registry = None
        setup_errors.append(str(exc))
    declaring = Declaring(store_only=request.store_only, buyers=registry.buyers if registry is not None else ())
    transport = profile.transport.value if profile is not None else TransportKind.CEB_HTTP.value
    signatures = SignatureCheck() if signer is not None else None
    tallies: dict[MessageType, _Tally] = {}
    per_process: list[array] = []
    manifests: list[str] = []
    now = dt.datetime.now(CHINA_TIME).replace(tzinfo=None)
    for index in range(processes):
        times = array("d")
        manifest = ManifestWriter(manifest_path(out_dir, index if processes > 1 else None),
                                  header(scenario, index, processes, declaring, registry, transport))
        try:
            for job in send_plan(scenario, index, processes, declaring):
                times.append(job.intended_s)
                wire = _checked(job, profile, signer, signatures, now, errors)
                tally = tallies.setdefault(job.message_type, _Tally())
                tally.times.append(job.intended_s)
                tally.bytes += len(wire)
                manifest.sent(job, None, NOT_SENT)
        finally:
            manifest.close()
        if manifest.error is not None:
            setup_errors.append(manifest.error)
        per_process.append(times)
        manifests.append(manifest.path.name)
    problems = (request.cap_problems if request.cap_problems is not None else
                cap_problems(PlanTimes(tuple(per_process)), profile) if profile is not None else [])
    caps = [f"{request.profile_path}: {problem}; a run would be refused" for problem in problems]
    every = _Tally(array("d", sorted(t for times in per_process for t in times)),
                   sum(tally.bytes for tally in tallies.values()))
    figures = DryRunFigures(
        scenario=scenario.name, target=request.target, transport=transport, processes=processes, signing=signing,
        load_s=scenario.clock.run_duration_s, last_message_s=round(every.times[-1], 3) if every.times else 0.0,
        drain_s=scenario.generator.drain_s,
        message_types={mt.value: tallies[mt].figures() for mt in sorted(tallies, key=lambda mt: mt.value)},
        total=every.figures(), max_rate=profile.max_rate if profile else None,
        max_messages=profile.max_messages if profile else None, clipped=request.clipped,
        store_only=request.store_only, errors=[*setup_errors, *caps, *errors.lines()], manifests=manifests)
    (out_dir / FIGURES_FILE).write_text(figures.model_dump_json(indent=2), encoding="utf-8")
    return figures


def _setup_problems(profile: TargetProfile | None, path: Path | None) -> list[str]:
    """What a run would stop on before sending, found without connecting: header values missing from
    the environment, a TLS CA bundle or client certificate that does not load."""
    problems: list[str] = []
    if profile is None:
        return problems
    try:
        profile.header_values()
    except ProfileError as exc:
        problems.append(f"{path}: {exc}")
    if (profile.url or "").startswith("https:"):
        try:
            client_context(profile.tls)
        except ProfileError as exc:
            problems.append(f"{path}: {exc}")
    return problems


def _registry(profile: TargetProfile | None) -> Registry | None:
    """The operator's test buyers the run would use (the command checked already that a target
    which is not loopback gets no synthetic ones)."""
    return read_registry(profile.identities) if profile is not None and profile.identities is not None else None


def _checked(job: SendJob, profile: TargetProfile | None, signer: MessageSigner | None,
             signatures: SignatureCheck | None, now: dt.datetime, errors: _Errors) -> bytes:
    """The message of `job` as it would go on the wire; a failure is added to `errors`."""
    body = job.body
    try:
        if signer is not None:
            body = signer.sign(body)
        wire = framed(profile, job, body, now)
    except (SigningError, CebFormatError, ValueError) as exc:
        errors.add(job, f"cannot be signed or framed: {exc}")
        return body
    try:
        read_back(profile, wire, signatures)
    except (CebFormatError, SignatureRejected, ValueError) as exc:
        errors.add(job, fault(exc))
    return wire


def print_dry_run(figures: DryRunFigures, out_dir: Path, console: Console, errors_to: Console) -> None:
    """The figures as a table and a few lines; the errors, one a line, on `errors_to`."""
    console.print(f"dry run of [bold]{figures.scenario}[/bold] against {figures.target}: nothing was sent, "
                  "no connection was opened", highlight=False, soft_wrap=True)
    table = Table("type", "messages", "bytes", "busiest second", "from s", "to s")
    rows = [*figures.message_types.items(), ("all", figures.total)]
    for name, row in rows:
        table.add_row(name, str(row.count), f"{row.bytes:,}", f"{row.peak_per_s}/s", f"{row.first_s:g}", f"{row.last_s:g}")
    console.print(table)
    plural = "es" if figures.processes > 1 else ""
    console.print(f"wall time: {figures.load_s:g} s of load, the last message due at {figures.last_message_s:g} s, "
                  f"then up to {figures.drain_s:g} s waiting for receipts ({figures.processes} generator "
                  f"process{plural})", highlight=False, soft_wrap=True)
    console.print(f"signing: {figures.signing}", highlight=False, soft_wrap=True)
    if figures.max_rate is not None or figures.max_messages is not None:
        console.print(f"cap: max_rate {'none' if figures.max_rate is None else f'{figures.max_rate:g}'} messages/s, "
                      f"max_messages {'none' if figures.max_messages is None else figures.max_messages}",
                      highlight=False, soft_wrap=True)
    if figures.clipped:
        console.print(figures.clipped, highlight=False, soft_wrap=True)
    if figures.store_only:
        console.print("store-only: every document with appStatus 1 (stored, not declared)", highlight=False)
    console.print(f"figures: {out_dir / FIGURES_FILE}; every document, marked not sent: "
                  f"{', '.join(str(out_dir / name) for name in figures.manifests)}", highlight=False, soft_wrap=True)
    for error in figures.errors:
        errors_to.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
