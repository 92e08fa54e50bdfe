"""``released-intacct doctor CONNECTION``: read-only checks of the Intacct company (rule 14).

Logs in with the connection's credentials at its entity and checks, by reading only, what the
product relies on (the fidelity ledger): the time zone, how invoice lines come, the audit trail
(permission, ACCESSMODE values, OBJECTKEYs), the payment kinds; with the subscriptions, the
preferences and rule C5's prerequisites. Prints one line per finding; ``--json FILE`` (``-`` for
stdout) writes the whole report a support engineer can send. Exit 0 when nothing failed or blocks,
1 when something did, 2 when the check itself could not run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import msgspec
from returns.pipeline import is_successful

from released_intacct.app.admin.views import DoctorView, FindingView
from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.prerequisites import show_checks
from released_intacct.app.cli.shell import OK, RED, Console, add_command, connection_id, failed
from released_intacct.app.settings import Settings

__all__ = ["register"]

_MARK = {"ok": "ok     ", "warning": "WARNING", "failed": "FAILED ", "unknown": "unknown"}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "doctor",
        summary="check the Intacct company against what the product relies on (read only)",
        description=(
            "Logs in at the connection's entity and checks, by reading only, each behaviour of "
            "Intacct the product relies on that reading can check (docs/intacct-fidelity.md): "
            "the time zone, invoice lines, the audit trail, payment kinds, and rule C5's "
            "prerequisites. Exit code 0 when nothing failed or blocks, 1 when something did."
        ),
        examples="  released-intacct doctor conn-3f2a...\n"
        "  released-intacct doctor conn-3f2a... --json report.json",
        run=_run,
    )
    parser.add_argument("connection", type=connection_id, help="the connection id")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON (- for stdout)")


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        found = await service.doctor(args.connection)
    if not is_successful(found):
        return failed(found.failure(), console)
    report = found.unwrap()
    view = DoctorView.of(report)
    if args.json is not None:
        encoded = msgspec.json.format(msgspec.json.encode(view), indent=2)
        if args.json == "-":
            console.out.write(encoded.decode() + "\n")
            return OK if report.healthy else RED
        Path(args.json).write_bytes(encoded + b"\n")
    diagnosis = report.diagnosis
    where = diagnosis.entity or "top level"
    console.say(f"Sage Intacct {diagnosis.company_id} at {where}; Intacct's now: "
                f"{diagnosis.session_timestamp}; zone: {diagnosis.zone}")  # fmt: skip
    console.say(f"subscriptions: {', '.join(diagnosis.subscriptions) or 'none'}")
    said = [f"{a} {p}={v}" for a, p, v in diagnosis.preferences]
    console.say(f"preferences: {'; '.join(said) or 'none'}")
    rows = [(_MARK[f.verdict].strip(), f.check, "\n".join(_said(f))) for f in view.findings]
    plain = [
        line
        for f in view.findings
        for line in (
            f"  {_MARK[f.verdict]} {f.check}: {_said(f)[0]}",
            *(f"           {more}" for more in _said(f)[1:]),
        )
    ]
    console.table(("", "CHECK", "WHAT IS SEEN, EXPECTED, AND THE FIX"), rows, plain=plain)
    console.say("prerequisites (rule C5):")
    show_checks(report.prerequisites, console)
    if args.json not in (None, "-"):
        console.say(f"report written to {args.json}")
    console.say("healthy" if report.healthy else "not healthy: see the lines above")
    return OK if report.healthy else RED


def _said(finding: FindingView) -> list[str]:
    """What a finding saw, then (not ok) what was expected, and its fix when it has one."""
    said = [finding.seen]
    if finding.verdict != "ok":
        said.append(f"expected: {finding.expected}")
    if finding.fix:
        said.append(f"fix: {finding.fix}")
    return said
