"""`accueil rehearse`: a hub, several kiosks and an arrival wave on this machine, with faults."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.commands.words import add_lang_argument, replies


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "rehearse",
        help="simulate an arrival wave across a hub and several kiosks, with faults",
        description="Starts a hub and N headless entrance kiosks (plus a help desk and a session "
        "door) on loopback, replays the demo event's arrival wave at SPEED times real time, "
        "injects faults (hub down, network cut and slowness, a kiosk killed with SIGKILL, a "
        "printer offline and out of paper) and accounts for every scan and badge. Exits 1 "
        "when anything was lost or doubled.",
    )
    parser.add_argument("--kiosks", type=int, default=4, help="entrance kiosks (default 4)")
    parser.add_argument("--attendees", type=int, default=760)
    parser.add_argument("--speed", type=float, default=30.0, help="time compression (default 30)")
    parser.add_argument("--handling", type=float, default=12.0,
                        help="seconds an attendee spends at the kiosk besides its own work")  # fmt: skip
    parser.add_argument("--span-minutes", type=float, default=150.0,
                        help="the arrival period; the rush is its 45th to 75th minute")  # fmt: skip
    parser.add_argument("--faults", default="default",
                        help="default | none | a JSON file of faults (see docs/rehearsal.md)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="keep the workspace (hub, kiosks, logs) here")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_lang_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    from kiosk.rehearsal.conductor import Rehearsal, default_faults, load_faults
    from kiosk.rehearsal.report import render
    from kiosk.rehearsal.wave import WaveShape

    tr = replies(args, rt)
    span = args.span_minutes * 60
    shape = WaveShape(attendees=args.attendees, span=span, peak_start=span * 0.3,
                      door_opens=span * 0.6)  # fmt: skip
    if args.faults == "none":
        faults = []
    elif args.faults == "default":
        faults = default_faults(span, args.kiosks)
    else:
        faults = load_faults(Path(args.faults))
    workspace = args.out or Path(tempfile.mkdtemp(prefix="accueil-rehearsal-"))
    rehearsal = Rehearsal(workspace, kiosks=args.kiosks, shape=shape, speed=args.speed,
                          handling_seconds=args.handling, faults=faults, seed=args.seed)  # fmt: skip
    try:
        entrance = tr.ngettext(
            "setting up a hub and {processes} kiosk processes ({count} entrance kiosk, a help "
            "desk, a session door) in {folder} …",
            "setting up a hub and {processes} kiosk processes ({count} entrance kiosks, a help "
            "desk, a session door) in {folder} …",
            args.kiosks,
        )
        said = entrance.format(processes=args.kiosks + 2, count=args.kiosks, folder=workspace)
        print(said, file=sys.stderr)
        rehearsal.setup()
        minutes = round(args.span_minutes)
        replaying = tr.ngettext(
            "replaying {minutes} minute at {speed}× …",
            "replaying {minutes} minutes at {speed}× …",
            minutes,
        ).format(minutes=f"{args.span_minutes:.0f}", speed=f"{args.speed:g}")
        print(replaying, file=sys.stderr)
        rehearsal.run()
        rehearsal.finish()
        report = rehearsal.report()
    finally:
        rehearsal.close()
        if args.out is None:
            shutil.rmtree(workspace, ignore_errors=True)
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    return 0 if report["ok"] else 1
