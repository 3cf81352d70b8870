"""One headless kiosk for a rehearsal: the real services of `accueil run`, without the screen.

    python -m kiosk.rehearsal.worker --config kiosk-1.toml

It builds everything through main.Runtime (the same factory as the app), loads the event,
pulls the registration list from the hub, then reads one JSON command per line on stdin
and answers one JSON line on stdout once the scan is committed:

    {"id": 7, "op": "scan", "code": "A1:…"}  ->  {"id": 7, "nonce": "…", "reason": "ok", "ms": 1.2}

End of input: it waits (bounded) for the outbox and the print queue to drain, then exits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.config import load_config
from kiosk.core.model import Direction, Role
from sync.importers import load_event

DRAIN_SECONDS = 60
# Our own handle on the pipe to the conductor: printing code may redirect sys.stdout for a
# moment (python-escpos writes warnings there), and answers must never end up in a log.
_ANSWERS = os.fdopen(os.dup(1), "w", buffering=1)


def say(**fields: Any) -> None:
    _ANSWERS.write(json.dumps(fields) + "\n")
    _ANSWERS.flush()


def handle(rt: Any, queue: Any, command: dict[str, Any]) -> dict[str, Any]:
    op = command["op"]
    started = time.perf_counter()
    if op == "reprint":
        job, warning = queue.reprint(command["registration_id"], "rehearsal-desk")
        return {"job": job, "reason": "reprint", "warning": warning or ""}
    if op == "walkin":
        first, _, last = command["name"].partition(" ")
        result = rt.checkin.register_walkin(first, last, role=Role.PARTICIPANT, days=frozenset({1, 2}),
                                            staff="rehearsal-desk")  # fmt: skip
    else:
        session = (rt.config.door.session or None) if op == "door" else None
        direction = (
            Direction.EXIT if rt.config.door.direction == "exit" and session else Direction.ENTRY
        )
        result = rt.checkin.check(command["code"], direction, session)
    ms = (time.perf_counter() - started) * 1000
    return {
        "nonce": result.scan.nonce,
        "reason": result.verdict.reason.value,
        "registration_id": result.scan.registration_id,
        "job": result.print_job,
        "ms": round(ms, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a headless rehearsal kiosk")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--ready-timeout", type=float, default=60)
    parser.add_argument("--webcam", type=Path, help="a venue video the rehearsal can unplug")
    args = parser.parse_args(argv)
    from main import Runtime

    rt = Runtime(load_config(args.config))
    event, sessions = load_event(rt.config.resolve(rt.config.event.definition))
    rt.store.save_event(event, sessions)
    engine = rt.sync_engine
    queue = rt.print_queue
    deadline = time.monotonic() + args.ready_timeout
    while True:  # the first full pull: a kiosk does not open its lane without the list
        try:
            engine.sync_once()
            break
        except Exception as exc:  # the hub may still be starting
            if time.monotonic() > deadline:
                say(event="failed", error=str(exc))
                return 1
            time.sleep(0.3)
    engine.start()
    if queue is not None:
        queue.start()
    reader = None
    if args.webcam is not None:
        from kiosk.rehearsal.webcam import rehearsal_reader

        reader = rehearsal_reader(
            args.webcam,
            lambda state: say(event="camera", status=str(state.status), message=state.message),
        )
        reader.start()
    say(event="ready", registrations=rt.store.count_registrations())
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            answer = handle(rt, queue, command)
        except Exception as exc:  # a refused command is reported, the kiosk keeps running
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        say(id=command.get("id"), **answer)
        engine.wake()
        if queue is not None and answer.get("job"):
            queue.wake()
    end = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < end and (
        rt.store.count_pending() or (queue is not None and rt.store.count_print_jobs("pending"))
    ):
        engine.wake()
        time.sleep(0.2)
    if reader is not None:
        reader.stop()
    engine.stop()
    if queue is not None:
        queue.stop()
    say(event="stopped", pending=rt.store.count_pending(),
        print_pending=rt.store.count_print_jobs("pending"))  # fmt: skip
    rt.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
