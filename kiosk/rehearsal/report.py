"""The rehearsal's closing report, as text for organisers."""

from __future__ import annotations

from typing import Any


def _s(value: float | None, unit: str = "s") -> str:
    return "—" if value is None else f"{value:.2f} {unit}"


def render(r: dict[str, Any]) -> str:
    lines = ["Rehearsal report", "================", ""]
    by_action = r["visits_by_action"]
    lines.append(
        f"kiosk processes: {r['kiosk_processes']} ({r['entrance_kiosks']} entrance kiosks, "
        "a help desk and a session door)"
    )
    lines.append(
        f"people served: {r['people_served']}; visits handled: {r['visits']} "
        f"(entrance scans {by_action.get('scan', 0)} by {r['entrance_people']} people, "
        "second scans included; help desk "
        f"{by_action.get('walkin', 0) + by_action.get('reprint', 0)}; session door "
        f"{by_action.get('door', 0)})"
    )
    lines.append("verdicts per visit: " + ", ".join(f"{k} {v}" for k, v in r["reasons"].items()))
    lines.append("")
    lines.append("Every scan accounted for")
    lines.append(f"  acknowledged by kiosks {r['scans_acknowledged']}, recorded {r['scans_recorded']}, "
                 f"at the hub {r['scans_at_hub']}")  # fmt: skip
    lines.append(f"  lost after acknowledgement {len(r['lost_acknowledged'])}, never uploaded "
                 f"{len(r['not_uploaded'])}, unknown to kiosks {len(r['unknown_at_hub'])}, "
                 f"duplicates {r['duplicates']}")  # fmt: skip
    lines.append(f"  badges: {r['badges_done_in_queues']} done in the print queues, "
                 f"{r['badges_out_of_printers']} came out of the printers")  # fmt: skip
    if r["badges_interrupted"]:
        lines.append(f"  badges interrupted by a killed kiosk (staff asked to check the tray, "
                     f"never printed twice by themselves): {r['badges_interrupted']}")  # fmt: skip
    lines.append(
        f"  conflicts found by the hub (same person checked in at two kiosks offline): {r['conflicts']}"
    )
    lines.append("")
    lines.append("Speed")
    lines.append(f"  scan to verdict (kiosk work): median {_s(r['verdict_ms_median'], 'ms')}")
    lines.append(f"  scan to badge out of the printer: median {_s(r['scan_to_badge_median_s'])}, "
                 f"p95 {_s(r['scan_to_badge_p95_s'])}")  # fmt: skip
    n = r["entrance_kiosks"]
    lines.append(f"  entrance queue, measured at {n} kiosks with the faults: longest "
                 f"{r['queue_max']} people, wait median {_s(r['wait_median_s'])}, "
                 f"max {_s(r['wait_max_s'])}")  # fmt: skip
    lines.append(f"    max wait of those whose time in the queue touched no fault: "
                 f"{_s(r['wait_max_outside_faults_s'])}")  # fmt: skip
    lines.append(f"  queue model (same arrivals and measured service times, no faults, each "
                 f"attendee takes the first free kiosk): max wait at {n} kiosks "
                 f"{_s(r['model_wait_max_s'])}")  # fmt: skip
    needed = r["kiosks_for_5_minute_queue"]
    lines.append(
        "    fewest entrance kiosks keeping every modelled wait under 5 minutes: "
        f"{needed or 'more than 20'}"
    )
    if needed and needed <= n and (r["wait_max_s"] or 0) > 300:
        lines.append(
            "    the measured maximum is longer than the model's because of the faults "
            "(a killed kiosk's attendees wait for its restart, a cut link or stopped hub "
            "slows verdicts) and because attendees join the shortest queue, not the first "
            "free kiosk; plan for the measured figure"
        )
    lines.append("")
    lines.append("Attendees per minute per kiosk (event minutes)")
    for name, minutes in r["per_minute"].items():
        if minutes:
            peak = max(minutes.values())
            lines.append(f"  {name:18} peak {peak}/min, {sum(minutes.values())} in all")
    if r["faults"]:
        lines += ["", "Faults injected"] + [f"  {f}" for f in r["faults"]]
    for cam in r.get("camera", []):
        path = " → ".join(dict.fromkeys(cam["states"])) or "no state reported"
        lines.append(f"  camera of {cam['kiosk']} unplugged: {path}; attendees it served "
                     f"meanwhile (scanner): {cam['served_meanwhile']}")  # fmt: skip
    if r["restarts"]:
        lines.append(f"  restarts: {r['restarts']}")
    if r["attendees_not_served"]:
        lines.append(f"  attendees never served (a lane stopped): {r['attendees_not_served']}")
    problems = r["lane_errors"] + r["printer_errors"] + r["command_errors"]
    if problems:
        lines += ["", "Problems"] + [f"  {p}" for p in problems[:20]]
    lines += [
        "",
        "RESULT: " + ("nothing lost, nothing doubled" if r["ok"] else "FAILED: see above"),
    ]
    return "\n".join(lines)
