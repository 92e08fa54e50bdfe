"""``intacct-simulator``: serve the Intacct simulator (gateway and control API) with uvicorn.

    intacct-simulator --host 127.0.0.1 --port 8001 --seed demo

``--seed none`` starts empty (add companies through ``POST /_sim/companies``). ``--port 0`` picks a
free port; uvicorn's start-up line names it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette

from released_intacct.fakes.simulators.intacct.app import CONTROL_PREFIX, GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.control import SEEDS, seed_loader
from released_intacct.fakes.simulators.intacct.simulator import Simulator


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="intacct-simulator",
        description=(
            f"A local Sage Intacct XML gateway (POST {GATEWAY_PATH}) with a JSON control API "
            f"under {CONTROL_PREFIX}/ for companies, faults and stats."
        ),
    )
    cli.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    cli.add_argument("--port", type=int, default=8001, help="port (default 8001; 0 = any free)")
    cli.add_argument(
        "--seed", default="demo", choices=SEEDS, help="data to start with (default demo)"
    )
    cli.add_argument(
        "--latency-ms",
        type=_non_negative,
        default=0,
        help="fixed latency added to every gateway reply, in ms (default 0)",
    )
    cli.add_argument(
        "--concurrency",
        type=_positive,
        default=2,
        help="requests a company may have in flight before HTTP 429 GW-0010 (default 2)",
    )
    cli.add_argument(
        "--fault-seed", default=None, help="seed of the RNG behind fault probabilities"
    )
    cli.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default info)",
    )
    return cli


def _whole(raw: str, least: int) -> int:
    if not raw.isdigit() or int(raw) < least:
        msg = f"must be a whole number >= {least}, got {raw!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(raw)


def _non_negative(raw: str) -> int:
    return _whole(raw, 0)


def _positive(raw: str) -> int:
    return _whole(raw, 1)


def build(args: argparse.Namespace) -> Starlette:
    """The app the arguments describe, with its seed loaded."""
    sim = Simulator(seed=args.fault_seed, concurrency=args.concurrency, latency_ms=args.latency_ms)
    loader = seed_loader(args.seed)
    if loader is not None:
        loader(sim)
    return create_app(sim)


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser()
    args = cli.parse_args(argv)
    app = build(args)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":  # pragma: no cover - `python -m ...cli`, as the console script does
    main()
