"""Run a rehearsal: a real hub, headless kiosks in their own processes, a wave, faults.

Everything talks over loopback: kiosks reach the hub through a FaultyLink each, and print
to a SimulatedPrinter each. Time is compressed by ``speed`` (60: an hour in a minute); the
attendees' own handling time at the kiosk (walk up, show the phone, take the badge) is
simulated, the kiosks' work is real.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.rehearsal.printer_sim import SimulatedPrinter
from kiosk.rehearsal.proxy import FaultyLink
from kiosk.rehearsal.wave import Action, Arrival, WaveShape, build_wave, kiosks_needed, model_wait
from kiosk.rehearsal.webcam import unplugged_flag, write_venue_video

log = logging.getLogger("accueil.rehearsal")
ROOT = Path(__file__).resolve().parents[2]
ACK_TIMEOUT = 30.0


@dataclass(frozen=True)
class Fault:
    """At event second ``at``, for ``duration`` event seconds: what goes wrong, and where."""

    at: float
    kind: str  # hub_down, link_down, link_slow, kill, printer_offline, paper_out, camera_lost
    kiosk: int = 0  # index of the entrance kiosk (0-based); ignored for hub_down
    duration: float = 60.0
    delay: float = 1.0  # link_slow: seconds added to every packet

    KINDS = (
        "hub_down", "link_down", "link_slow", "kill", "printer_offline", "paper_out", "camera_lost",
    )  # fmt: skip


def default_faults(span: float, kiosks: int) -> list[Fault]:
    """One of each, spread over the busiest part of the morning."""
    k = lambda i: i % kiosks  # noqa: E731
    return [
        Fault(span * 0.30, "hub_down", duration=60),
        Fault(span * 0.36, "link_down", k(1), duration=120),
        Fault(span * 0.42, "link_slow", k(2), duration=300, delay=1.5),
        Fault(span * 0.48, "kill", k(0), duration=30),
        Fault(span * 0.55, "printer_offline", k(1), duration=120),
        Fault(span * 0.62, "paper_out", k(2), duration=120),
        Fault(span * 0.68, "camera_lost", k(3), duration=120),
    ]


def load_faults(path: Path) -> list[Fault]:
    """A JSON list of faults: [{"at": 1200, "kind": "hub_down", "duration": 60}, …]."""
    items = json.loads(path.read_text(encoding="utf-8"))
    faults = []
    for i, item in enumerate(items):
        if item.get("kind") not in Fault.KINDS:
            raise ValueError(f"{path}: faults[{i}].kind must be one of {', '.join(Fault.KINDS)}")
        faults.append(Fault(**item))
    return faults


@dataclass
class Served:
    """One attendee at one lane."""

    arrival: Arrival
    lane: str
    queued_at: float  # event seconds
    started_at: float
    answered_at: float
    answer: dict[str, Any]


@dataclass
class Kiosk:
    index: int
    kiosk_id: str
    name: str
    mode: str
    config: Path
    link: FaultyLink
    printer: SimulatedPrinter
    proc: subprocess.Popen[str] | None = None
    answers: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    alive: threading.Event = field(default_factory=threading.Event)
    restarts: int = 0

    @property
    def store_path(self) -> Path:
        return self.config.parent / "data" / self.kiosk_id / f"{self.kiosk_id}.db"


class Rehearsal:
    def __init__(
        self,
        workspace: Path,
        *,
        kiosks: int = 4,
        shape: WaveShape | None = None,
        speed: float = 60.0,
        handling_seconds: float = 12.0,
        faults: list[Fault] | None = None,
        seed: int = 1,
        printer_width: int = 512,
    ) -> None:
        self.ws = workspace
        self.entrances = kiosks
        self.shape = shape or WaveShape()
        self.speed = speed
        self.handling = handling_seconds
        self.faults = default_faults(self.shape.span, kiosks) if faults is None else faults
        self.seed = seed
        self.printer_width = printer_width
        self.organiser_token = secrets.token_urlsafe(24)
        self.kiosks: list[Kiosk] = []
        self.hub_proc: subprocess.Popen[str] | None = None
        self.hub_port = 0
        self.served: list[Served] = []
        self.queue_samples: list[tuple[float, int]] = []
        self.fault_log: list[str] = []
        self.lane_errors: list[str] = []
        self.camera_log: list[tuple[float, str, str]] = []
        self._t0 = 0.0
        self._lock = threading.Lock()

    # -- time ---------------------------------------------------------------------------

    def now(self) -> float:
        """Event seconds since the doors opened."""
        return (time.monotonic() - self._t0) * self.speed

    def sleep_until(self, event_seconds: float) -> None:
        delay = (event_seconds - self.now()) / self.speed
        if delay > 0:
            time.sleep(delay)

    # -- set-up -------------------------------------------------------------------------

    def _write_config(self, name: str, body: str) -> Path:
        path = self.ws / f"{name}.toml"
        path.write_text(body, encoding="utf-8")
        return path

    def setup(self) -> None:
        from sync.hub.db import HubDB, database_url
        from sync.importers import load_event, load_registrations

        self.ws.mkdir(parents=True, exist_ok=True, mode=0o700)
        event_file = ROOT / "demo" / "event.json"
        self.event, _ = load_event(event_file)
        self.registrations = load_registrations(ROOT / "demo" / "registrations.csv")
        self.hub_port = _free_port()
        hub_db = self.ws / "hub" / "hub.db"
        hub_db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.hub_config = self._write_config("hub", f"""
[kiosk]
id = "hub"
data_dir = "hub"
[event]
definition = "{event_file}"
registrations = []
public_key = "{ROOT / 'demo' / 'organiser.pub'}"
[hub]
port = {self.hub_port}
database = "sqlite:///{hub_db}"
""")  # fmt: skip
        db = HubDB(database_url(f"sqlite:///{hub_db}", self.ws))
        db.import_registrations(self.registrations)
        roles = [("kiosk", f"Entrance {i + 1}") for i in range(self.entrances)]
        roles += [("staff", "Help desk"), ("door", "Grand Hall door")]
        tokens = {}
        for i, _ in enumerate(roles):
            tokens[i] = db.create_token(f"rk-{i + 1}")
        db.close()
        self.start_hub()
        for i, (mode, name) in enumerate(roles):
            kiosk_id = f"rk-{i + 1}"
            link = FaultyLink(self.hub_port)
            printer = SimulatedPrinter(self.printer_width)
            config = self._write_config(kiosk_id, f"""
[kiosk]
id = "{kiosk_id}"
name = "{name}"
mode = "{mode}"
data_dir = "data/{kiosk_id}"
[event]
definition = "{event_file}"
registrations = []
day = 1
public_key = "{ROOT / 'demo' / 'organiser.pub'}"
private_key = "{ROOT / 'demo' / 'demo-organiser.key'}"
[door]
session = "{'P1' if mode == 'door' else ''}"
[camera]
source = "none"
[printer]
kind = "network"
host = "127.0.0.1"
port = {printer.port}
profile = "TM-T88V"
timeout_seconds = 2.0
[sync]
source = "hub"
interval_seconds = 2.0
timeout_seconds = 3.0
[hub]
url = "{link.url}"
token = "{tokens[i]}"
""")  # fmt: skip
            self.kiosks.append(Kiosk(i, kiosk_id, name, mode, config, link, printer))
        for kiosk in self.kiosks:
            self.start_kiosk(kiosk)
        for kiosk in self.kiosks:
            self._wait_ready(kiosk, 120)

    def _wait_ready(self, kiosk: Kiosk, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not kiosk.alive.wait(0.2):
            if kiosk.proc is not None and kiosk.proc.poll() is not None:
                log_tail = (self.ws / f"{kiosk.kiosk_id}.log").read_text(errors="replace")[-1500:]
                raise RuntimeError(f"{kiosk.name} exited while starting:\n{log_tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kiosk.name} was not ready after {timeout} s")

    def start_hub(self) -> None:
        env = {**os.environ, "ACCUEIL_HUB_ORGANISER_TOKEN": self.organiser_token}
        log_file = (self.ws / "hub.log").open("a")
        self.hub_proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--config", str(self.hub_config), "hub", "serve"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        _wait_port(self.hub_port, 30)

    def stop_hub(self) -> None:
        if self.hub_proc is not None:
            self.hub_proc.send_signal(signal.SIGTERM)
            try:
                self.hub_proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.hub_proc.kill()
                self.hub_proc.wait(timeout=5)
            self.hub_proc = None

    def webcam(self, kiosk: Kiosk) -> Path:
        return self.ws / f"webcam-{kiosk.kiosk_id}.avi"

    def start_kiosk(self, kiosk: Kiosk) -> None:
        kiosk.alive.clear()
        stderr = (self.ws / f"{kiosk.kiosk_id}.log").open("a")
        command = [sys.executable, "-m", "kiosk.rehearsal.worker", "--config", str(kiosk.config)]
        if kiosk.mode == "kiosk":  # entrance kiosks have a webcam the rehearsal can unplug
            if not self.webcam(kiosk).exists():
                write_venue_video(self.webcam(kiosk), kiosk.index)
            command += ["--webcam", str(self.webcam(kiosk))]
        kiosk.proc = subprocess.Popen(
            command,
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        threading.Thread(target=self._read_answers, args=(kiosk, kiosk.proc), daemon=True).start()

    def _read_answers(self, kiosk: Kiosk, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            message = json.loads(line)
            if message.get("event") == "ready":
                kiosk.alive.set()
            elif message.get("event") == "camera":
                self.camera_log.append((self.now(), kiosk.name, str(message.get("status"))))
            elif message.get("event") == "failed":
                log.error("%s failed to start: %s", kiosk.name, message.get("error"))
            elif "id" in message:
                kiosk.answers.put(message)
        kiosk.alive.clear()
        kiosk.answers.put({"id": None, "dead": True})

    # -- the wave -----------------------------------------------------------------------

    def run(self) -> None:
        wave = build_wave(self.registrations, 1, self.shape, self.seed)
        self.wave = wave
        lanes = {k.index: queue.Queue() for k in self.kiosks}  # type: ignore[var-annotated]
        entrances = [k for k in self.kiosks if k.mode == "kiosk"]
        desk = next(k for k in self.kiosks if k.mode == "staff")
        door = next(k for k in self.kiosks if k.mode == "door")
        self._t0 = time.monotonic()
        done = threading.Event()
        workers = [
            threading.Thread(target=self._lane_guarded, args=(k, lanes[k.index], done), daemon=True)
            for k in self.kiosks
        ]
        for w in workers:
            w.start()
        faults = threading.Thread(target=self._faults, args=(done,), daemon=True)
        faults.start()
        sampler = threading.Thread(target=self._sample, args=(entrances, lanes, done), daemon=True)
        sampler.start()
        for arrival in wave:
            self.sleep_until(arrival.at)
            if arrival.action in (Action.WALKIN, Action.REPRINT):
                target = desk
            elif arrival.action is Action.DOOR:
                target = door
            else:  # the shortest queue among the entrance kiosks
                target = min(entrances, key=lambda k: lanes[k.index].qsize())
            lanes[target.index].put((arrival, self.now()))
        for k in self.kiosks:
            lanes[k.index].put(None)
        for w in workers:
            w.join()
        done.set()
        faults.join(timeout=5)

    def _lane_guarded(self, kiosk: Kiosk, lane: queue.Queue[Any], done: threading.Event) -> None:
        """A lane that fails is a finding for the report, not a silently shorter queue."""
        try:
            self._lane(kiosk, lane, done)
        except Exception as exc:
            self.lane_errors.append(f"{kiosk.name}: {exc}")
            while lane.get() is not None:  # the attendees left in this queue were not served
                pass

    def _lane(self, kiosk: Kiosk, lane: queue.Queue[Any], done: threading.Event) -> None:
        next_id = kiosk.index * 1_000_000
        while True:
            item = lane.get()
            if item is None:
                return
            arrival, queued_at = item
            started = self.now()
            time.sleep(self.handling / self.speed)
            while True:  # a dead kiosk: the attendee waits for the restart and scans again
                if not kiosk.alive.wait(120):
                    raise RuntimeError(f"{kiosk.name} stayed down")
                next_id += 1
                command = {"id": next_id, "op": arrival.action.value, "code": arrival.code,
                           "registration_id": arrival.registration_id, "name": arrival.name}  # fmt: skip
                proc = kiosk.proc
                try:
                    assert proc is not None and proc.stdin is not None
                    proc.stdin.write(json.dumps(command) + "\n")
                    proc.stdin.flush()
                except (OSError, ValueError):
                    time.sleep(0.05)
                    continue
                answer = self._await(kiosk, next_id)
                if answer is not None:
                    break
            with self._lock:
                self.served.append(
                    Served(arrival, kiosk.kiosk_id, queued_at, started, self.now(), answer)
                )

    def _await(self, kiosk: Kiosk, wanted: int) -> dict[str, Any] | None:
        deadline = time.monotonic() + ACK_TIMEOUT
        while time.monotonic() < deadline:
            try:
                answer = kiosk.answers.get(timeout=0.5)
            except queue.Empty:
                continue
            if answer.get("dead"):
                return None
            if answer.get("id") == wanted:
                return answer
        raise RuntimeError(f"{kiosk.name} did not answer within {ACK_TIMEOUT} s")

    def _sample(self, entrances: list[Kiosk], lanes: dict[int, Any], done: threading.Event) -> None:
        while not done.wait(0.25):
            self.queue_samples.append((self.now(), sum(lanes[k.index].qsize() for k in entrances)))

    def _faults(self, done: threading.Event) -> None:
        entrances = [k for k in self.kiosks if k.mode == "kiosk"]
        timeline: list[tuple[float, str, Fault]] = []
        for f in self.faults:
            timeline += [(f.at, "begin", f), (f.at + f.duration, "end", f)]
        for at, phase, f in sorted(timeline, key=lambda x: x[0]):
            while self.now() < at:
                if done.wait(0.05):
                    return
            kiosk = entrances[f.kiosk % len(entrances)]
            self.fault_log.append(
                f"{at / 60:6.1f} min  {phase:5}  {f.kind} {'' if f.kind == 'hub_down' else kiosk.name}"
            )
            if f.kind == "hub_down":
                self.stop_hub() if phase == "begin" else self.start_hub()
            elif f.kind == "link_down":
                kiosk.link.down() if phase == "begin" else kiosk.link.up()
            elif f.kind == "link_slow":
                kiosk.link.slow(f.delay) if phase == "begin" else kiosk.link.up()
            elif f.kind == "printer_offline":
                kiosk.printer.offline() if phase == "begin" else kiosk.printer.online()
            elif f.kind == "paper_out":
                kiosk.printer.paper_out() if phase == "begin" else kiosk.printer.paper_loaded()
            elif f.kind == "camera_lost":  # the webcam's USB cable is pulled, then plugged back
                flag = unplugged_flag(self.webcam(kiosk))
                flag.touch() if phase == "begin" else flag.unlink(missing_ok=True)
            elif f.kind == "kill" and phase == "begin" and kiosk.proc is not None:
                kiosk.alive.clear()
                kiosk.proc.send_signal(signal.SIGKILL)
                kiosk.proc.wait(timeout=10)
            elif f.kind == "kill" and phase == "end":
                kiosk.restarts += 1
                self.start_kiosk(kiosk)

    # -- the end ------------------------------------------------------------------------

    def finish(self) -> None:
        """Heal every fault, let kiosks drain their outbox and print queue, stop them."""
        if self.hub_proc is None:
            self.start_hub()
        for k in self.kiosks:
            k.link.up()
            k.printer.online()
            k.printer.paper_loaded()
        for k in self.kiosks:
            if k.proc is not None and k.proc.stdin is not None:
                k.proc.stdin.close()
        for k in self.kiosks:
            if k.proc is not None:
                try:
                    k.proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    k.proc.kill()
                    k.proc.wait(timeout=10)

    def close(self) -> None:
        for k in self.kiosks:
            if k.proc is not None and k.proc.poll() is None:
                k.proc.kill()
                k.proc.wait(timeout=10)
            k.link.close()
            k.printer.close()
        self.stop_hub()

    def report(self) -> dict[str, Any]:
        return account(self)


def account(r: Rehearsal) -> dict[str, Any]:
    """Every scan accounted for: what kiosks acknowledged, recorded, uploaded and printed."""
    from sync.hub.db import HubDB, database_url
    from sync.store import LocalStore

    acknowledged = {s.answer["nonce"] for s in r.served if "nonce" in s.answer}
    errors = [s.answer["error"] for s in r.served if "error" in s.answer]
    recorded: list[str] = []
    badges_wanted = 0
    interrupted = 0
    scan_to_badge: list[float] = []
    by_kiosk_minute: dict[str, dict[int, int]] = {}
    for k in r.kiosks:
        with LocalStore(k.store_path) as store:
            local = store.scans(origin="local")
            recorded += [s.nonce for s in local]
            jobs = store.print_jobs(limit=1_000_000)
            badges_wanted += sum(1 for j in jobs if j.status == "done")
            # a kiosk killed mid-print: the badge may or may not be out; staff are asked
            interrupted += sum(1 for j in jobs if j.status in ("printing", "uncertain"))
            scan_to_badge += [
                (j.printed_at - j.created_at).total_seconds()
                for j in jobs
                if j.printed_at is not None
            ]
        minutes = by_kiosk_minute.setdefault(k.name, {})
        for s in r.served:
            if s.lane == k.kiosk_id:
                minute = int(s.answered_at // 60)
                minutes[minute] = minutes.get(minute, 0) + 1
    hub = HubDB(database_url(f"sqlite:///{r.ws / 'hub' / 'hub.db'}", r.ws))
    try:
        hub_scans = [s["nonce"] for s in hub.scans(limit=10_000_000)]
        conflicts = len(hub.conflicts())
    finally:
        hub.close()
    printed = sum(k.printer.printed for k in r.kiosks)
    printer_errors = [e for k in r.kiosks for e in k.printer.errors]
    entrance_service = [
        (s.answered_at - s.started_at) for s in r.served if s.arrival.action is Action.SCAN
    ]
    arrivals = [a.at for a in r.wave if a.action is Action.SCAN]
    needed, worst = kiosks_needed(arrivals, entrance_service, 300)
    entrances = sum(1 for k in r.kiosks if k.mode == "kiosk")
    windows = [(f.at, f.at + f.duration) for f in r.faults]
    lost_ack = sorted(acknowledged - set(recorded))
    not_uploaded = sorted(set(recorded) - set(hub_scans))
    unknown_at_hub = sorted(set(hub_scans) - set(recorded))
    doubles = len(recorded) - len(set(recorded)) + len(hub_scans) - len(set(hub_scans))
    entrance = [s for s in r.served if s.arrival.action is Action.SCAN]
    waits = [s.started_at - s.queued_at for s in entrance]
    # waits of attendees whose time in the queue touched no fault: what the model predicts
    calm = [
        s.started_at - s.queued_at
        for s in entrance
        if not any(s.queued_at < end and start < s.started_at for start, end in windows)
    ]
    visits = _count(s.arrival.action.value for s in r.served)
    people = {s.arrival.registration_id or f"walk-in:{s.arrival.name}" for s in r.served}
    at_entrance = {s.arrival.registration_id for s in entrance}
    unserved = len(r.wave) - len(r.served)
    ok = not (
        lost_ack or not_uploaded or unknown_at_hub or doubles or unserved or r.lane_errors
        or not badges_wanted <= printed <= badges_wanted + interrupted
    )  # fmt: skip
    return {
        "ok": ok,
        # every arrival the kiosk processes handled: entrance scans (second scans included),
        # help-desk visits and session-door scans; one person may count several times
        "visits": len(r.served),
        "visits_by_action": visits,
        "people_served": len(people),
        "entrance_scans": len(entrance),
        "entrance_people": len(at_entrance),
        "entrance_kiosks": entrances,
        "kiosk_processes": len(r.kiosks),
        "attendees_not_served": unserved,
        "lane_errors": r.lane_errors,
        "scans_acknowledged": len(acknowledged),
        "scans_recorded": len(recorded),
        "scans_at_hub": len(hub_scans),
        "lost_acknowledged": lost_ack,
        "not_uploaded": not_uploaded,
        "unknown_at_hub": unknown_at_hub,
        "duplicates": doubles,
        "badges_done_in_queues": badges_wanted,
        "badges_out_of_printers": printed,
        "badges_interrupted": interrupted,
        "printer_errors": printer_errors,
        "command_errors": errors,
        "conflicts": conflicts,
        "scan_to_badge_median_s": statistics.median(scan_to_badge) if scan_to_badge else None,
        "scan_to_badge_p95_s": _pct(scan_to_badge, 0.95),
        "verdict_ms_median": statistics.median([s.answer.get("ms", 0) for s in r.served])
        if r.served
        else None,
        "wait_median_s": statistics.median(waits) if waits else None,
        "wait_max_s": max(waits) if waits else None,
        "wait_max_outside_faults_s": max(calm) if calm else None,
        "model_wait_max_s": model_wait(arrivals, entrance_service, entrances),
        "queue_max": max((q for _, q in r.queue_samples), default=0),
        "kiosks_for_5_minute_queue": needed,
        "worst_wait_by_kiosks": worst,
        "per_minute": by_kiosk_minute,
        "faults": r.fault_log,
        "reasons": _count(s.answer.get("reason", "error") for s in r.served),
        "restarts": {k.name: k.restarts for k in r.kiosks if k.restarts},
        "camera": _camera_summary(r),
    }


def _camera_summary(r: Rehearsal) -> list[dict[str, Any]]:
    """Per camera fault: what the kiosk reported, and the attendees it served meanwhile."""
    out = []
    entrances = [k for k in r.kiosks if k.mode == "kiosk"]
    for f in r.faults:
        if f.kind != "camera_lost":
            continue
        kiosk = entrances[f.kiosk % len(entrances)]
        states = [s for t, name, s in r.camera_log if name == kiosk.name and t >= f.at]
        served = [s for s in r.served if s.lane == kiosk.kiosk_id
                  and f.at <= s.answered_at <= f.at + f.duration]  # fmt: skip
        out.append({"kiosk": kiosk.name, "states": states, "served_meanwhile": len(served)})
    return out


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items()))


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
