"""``released-simulator``: serve the Re-Leased simulator (REST API and control API) with uvicorn.

    released-simulator --host 127.0.0.1 --port 8002 --seed demo

``--seed none`` starts empty (add companies through ``POST /_sim/companies``). ``--port 0`` picks a
free port; uvicorn's start-up line names it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette

from released_intacct.fakes.simulators.released.app import API_PREFIX, CONTROL_PREFIX, create_app
from released_intacct.fakes.simulators.released.control import SEEDS, seed_loader
from released_intacct.fakes.simulators.released.simulator import Simulator


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="released-simulator",
        description=(
            f"A local Re-Leased REST API under {API_PREFIX}/ with a JSON control API under "
            f"{CONTROL_PREFIX}/ for companies, faults and stats."
        ),
    )
    cli.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    cli.add_argument("--port", type=int, default=8002, help="port (default 8002; 0 = any free)")
    cli.add_argument(
        "--seed", default="demo", choices=SEEDS, help="data to start with (default demo)"
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


def build(args: argparse.Namespace) -> Starlette:
    """The app the arguments describe, with its seed loaded."""
    sim = Simulator(fault_seed=args.fault_seed)
    loader = seed_loader(args.seed)
    if loader is not None:
        loader(sim)
    return create_app(sim)


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    uvicorn.run(build(args), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":  # pragma: no cover - `python -m ...cli`, as the console script does
    main()
