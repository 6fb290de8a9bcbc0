"""`peakload run`: replay a scenario against the mock platform or a named target."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from locustfiles.identities import IdentityError, buyers_for
from locustfiles.urls import without_credentials
from peakload.caps import fit_to_cap
from peakload.dry_run import DryRunRequest, FolderInUse, dry_run as plan_dry_run, print_dry_run
from peakload.embedded_mock import remove_database
from peakload.exit_codes import ExitCode
from peakload.live_view import live_progress
from peakload.render_console import print_summary
from peakload.replay_options import Compression, ForecastPeak, RateScale, Window, replay_for_run
from peakload.runner import RunInterrupted, RunInvalid, RunRequest, run_scenario
from peakload.stack import DEFAULT_STATE, announced_generators, generator_ports
from reports.summary import RunSummary
from peakload.target import Target, TargetError, parse_target, profile_target, remote_hosts
from scenarios.loader import ScenarioError, load, resolve
from targets import ProfileError, TargetProfile, TransportKind, load_profile, resolve_profile


def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a library name like double11-smoke.")],
    target: Annotated[str | None, typer.Option(
        help="'mock' starts the embedded mock platform; or a URL [default: the scenario's target].",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(help="Results folder [default: reports/out/<time>-<scenario>].")] = None,
    confirm_target: Annotated[str | None, typer.Option(
        help="Name a non-loopback target's host again to confirm you mean to load it.")] = None,
    profile: Annotated[str | None, typer.Option(
        help="Target profile (a file, or an example name in targets/): transport, addresses, signing, TLS, "
             "receipt polling. Instead of --target.", show_default=False)] = None,
    processes: Annotated[int, typer.Option(
        help="Generator processes (Locust workers) on this machine; the rate is split among them.",
        min=1, max=64)] = 1,
    expect_workers: Annotated[int, typer.Option(
        help="Be Locust's master and wait for this many `peakload worker` processes from other hosts.",
        min=0)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="Print only the verdict line (for CI logs).")] = False,
    metrics_port: Annotated[int, typer.Option(
        help="Serve the generator's Prometheus metrics on 127.0.0.1:PORT (workers: PORT+1+index); "
             "a stack up in --stack-state scrapes them while the run goes on.",
        min=0, max=65535)] = 0,
    stack_state: Annotated[Path, typer.Option(
        help="The state folder of the `peakload stack up` that is to scrape the generator.")] = DEFAULT_STATE,
    keep_db: Annotated[bool, typer.Option(
        "--keep-db", help="Keep the embedded mock's database in the results folder.")] = False,
    id_tag: Annotated[str, typer.Option(
        help="Tag every identifier of this run (up to 3 of A-Z0-9) instead of the scenario's "
             "generator.id_tag: needed to run a scenario again against the same platform.")] = "",
    compression: Compression = None,
    window: Window = None,
    rate_scale: RateScale = None,
    forecast_peak: ForecastPeak = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Plan, render, sign and check every message the run would send, print the figures "
                          "and write them (dry-run.json, manifest.jsonl); send nothing, open no connection.")] = False,
    clip_to_cap: Annotated[bool, typer.Option(
        "--clip-to-cap", help="Scale the scenario down to fit the profile's max_rate and max_messages, "
                              "instead of refusing it.")] = False,
    store_only: Annotated[bool, typer.Option(
        "--store-only", help="Send every document with appStatus 1 (暂存, stored): a pass through the platform's "
                             "intake that declares nothing (also the profile's store_only).")] = False,
) -> None:
    """Run a scenario and judge it: exit 0 pass, 1 a gate failed, 2 invalid run, 64 bad usage."""
    console = Console(stderr=True)
    try:
        path = resolve(scenario)
        loaded = load(str(path))
        target_profile = load_profile(profile) if profile else None
        if target_profile is not None and target is not None:
            raise TargetError("give --profile or --target, not both")
        if (target_profile is not None and target_profile.transport is TransportKind.DXP_FOLDER
                and (processes > 1 or expect_workers)):
            # Reading a receipt file removes it: a second process would take receipts of the
            # first one's documents, which neither could then count.
            raise TargetError("the dxp-folder transport runs in one generator process: drop --processes and "
                              "--expect-workers")
        chosen = (profile_target(target_profile, confirm_target) if target_profile is not None
                  else parse_target(target or loaded.target, confirm_target))
        if target_profile is not None:  # before any load: synthetic ID numbers only where allowed
            remote = remote_hosts(target_profile)
            buyers_for(target_profile.identities, target_profile.synthetic_identities or not remote,
                       f"profile {target_profile.name} reaches {', '.join(remote)}, which")
    except (ScenarioError, TargetError, ProfileError, IdentityError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    try:
        loaded = loaded.with_id_tag(id_tag) if id_tag else loaded
    except ValueError:
        console.print(f"[red]error:[/red] --id-tag {id_tag!r}: up to 3 characters, A-Z and 0-9", highlight=False,
                      soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    out_dir = out or Path("reports/out") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{loaded.name}"
    loaded, path = replay_for_run(loaded, path, out_dir, compression=compression, window=window,
                                  rate_scale=rate_scale, forecast_peak=forecast_peak)
    profile_path = resolve_profile(profile) if profile else None
    generators = expect_workers or processes
    stored = store_only or (target_profile is not None and target_profile.store_only)
    if dry_run:
        _dry_run(DryRunRequest(path, loaded, out_dir, _shown(chosen, target_profile), generators, target_profile,
                               profile_path, stored), clip_to_cap, console)
    fit = fit_to_cap(loaded, path, target_profile, generators, out_dir, clip_to_cap)
    if fit.problems:
        for problem in fit.problems:
            console.print(f"[red]error:[/red] {profile_path}: {problem}", highlight=False, soft_wrap=True)
        console.print("nothing was sent: the target's cap is hard; --clip-to-cap scales the scenario down to fit",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE)
    if fit.clipped and not quiet:
        console.print(fit.clipped, highlight=False, soft_wrap=True)
    loaded = fit.scenario
    request = RunRequest(fit.path, loaded, chosen, out_dir, processes, expect_workers, metrics_port,
                         profile_path, target_profile, fit.clipped, store_only=stored)
    announced = announced_generators(stack_state, generator_ports(metrics_port, processes, expect_workers))
    try:
        if quiet:
            with announced:
                summary = run_scenario(request)
        else:
            console.print(f"peakload: replaying [bold]{loaded.name}[/bold] "
                          f"({loaded.clock.run_duration_s:.0f} s of load) against "
                          f"{_shown(chosen, target_profile)}",
                          highlight=False)
            with announced, live_progress(loaded, console) as show:
                summary = run_scenario(request, show)
    except RunInvalid as exc:
        console.print(f"verdict: invalid — {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INVALID) from None
    except RunInterrupted as exc:
        if exc.summary is not None:
            _print_verdict(exc.summary, out_dir, quiet)
        console.print(f"{exc}: " + (f"what was sent until then is in {out_dir}" if exc.summary
                                     else "nothing was measured yet"), highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except KeyboardInterrupt:  # while the embedded mock started or stopped
        console.print(f"interrupted; whatever was written is in {out_dir}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    finally:
        if chosen.is_mock and not keep_db:
            remove_database(out_dir / "mock.db")
    _print_verdict(summary, out_dir, quiet)
    raise typer.Exit(ExitCode.of(summary.verdict))


def _dry_run(request: DryRunRequest, clip: bool, console: Console) -> NoReturn:
    """Plan and check the run without sending it; exit 64 when anything was found wrong. The cap
    is checked on the dry run's own plan, unless the scenario is to be clipped to it first."""
    if clip:
        fit = fit_to_cap(request.scenario, request.scenario_path, request.profile, request.processes,
                         request.out_dir, clip=True)
        request = replace(request, scenario_path=fit.path, scenario=fit.scenario, clipped=fit.clipped,
                          cap_problems=fit.problems)
    try:
        figures = plan_dry_run(request)
    except FolderInUse as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    print_dry_run(figures, request.out_dir, Console(), console)
    raise typer.Exit(ExitCode.USAGE if figures.errors else ExitCode.PASS)


def _shown(chosen: Target, profile: TargetProfile | None) -> str:
    if chosen.is_mock:
        return "the embedded mock platform"
    if profile is not None:
        return f"profile {profile.name} ({profile.transport.value}{': ' + without_credentials(chosen.url) if chosen.url else ''})"
    return without_credentials(chosen.url or "")


def _print_verdict(summary: RunSummary, out_dir: Path, quiet: bool) -> None:
    if quiet:
        print(f"verdict: {summary.verdict.value} ({'; '.join(summary.reasons) or 'all gates held'}); "
              f"results: {out_dir}")
    else:
        print_summary(summary, out_dir, Console())
