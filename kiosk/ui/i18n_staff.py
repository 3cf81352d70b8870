"""What the staff screens say: screen keys to English message ids (kiosk.ui.i18n merges it in).

The words in each language are in the gettext catalogues (``kiosk/locale``); a key maps to
its message id (``N_``), a plural (``NP_``, the count's field named) or an id with a context
(``C_``). Verdict sentences for staff come from kiosk.core.texts.staff_text; keys here are
grouped by screen: key.* (footer), alert.*, note.* (notifications), pin.*, desk.*, col.*
(table columns), detail.*, walkin.*, printer.*, sync.*, dash.*, picker.*.
"""

from __future__ import annotations

from kiosk.core.i18n import N_, NP_, Message
from kiosk.core.texts import JOB_STATUS

STAFF_UI: dict[str, str | Message] = {
    # -- footer keys ----------------------------------------------------------------------
    "key.walkin": N_("Walk-in"),
    "key.printer": N_("Printer"),
    "key.sync": N_("Sync"),
    "key.dashboard": N_("Dashboard"),
    "key.door": N_("Door"),
    "key.leave_door": N_("End door mode"),
    "key.lock": N_("Sign out"),
    "key.quit": N_("Quit app"),
    "key.back": N_("Back"),
    "key.clear": N_("Clear"),
    "key.language": N_("Language"),
    "key.sign_in": N_("Sign in"),
    "key.checkin": N_("Check in"),
    "key.undo": N_("Undo"),
    "key.reprint": N_("Reprint"),
    "key.badge_name": N_("Badge name"),
    "key.override": N_("Override"),
    "key.submit": N_("Register + print"),
    "key.retry": N_("Retry job"),
    "key.cancel_job": N_("Cancel job"),
    "key.reprint_badge": N_("Reprint badge"),
    "key.sync_now": N_("Sync now"),
    "key.cancel": N_("Cancel"),
    "key.yes": N_("Yes"),
    "key.no": N_("No"),
    # -- alert line on every staff screen ---------------------------------------------------
    "alert.printer_down": NP_(
        "⚠ Printer {message}: {waiting} badge waiting",
        "⚠ Printer {message}: {waiting} badges waiting",
        "waiting",
    ),
    "alert.printer_warn": N_("Printer: {message}"),
    "alert.no_printer": N_("No printer: badges are printed elsewhere"),
    "alert.sync_error": N_("⚠ Sync: {error}"),
    "alert.sync_offline": NP_(
        "Sync offline: {waiting} scan waiting", "Sync offline: {waiting} scans waiting", "waiting"
    ),
    "alert.attendee_screen": NP_(
        "⚠ Staff: printer {message} — {waiting} badge waiting (F12 → F3 printer panel)",
        "⚠ Staff: printer {message} — {waiting} badges waiting (F12 → F3 printer panel)",
        "waiting",
    ),
    "alert.scanner_layout": N_(
        "⚠ Staff: scanner keyboard layout: set it to {layout} (codes arrive typed for another"
        " keyboard)"
    ),
    # printer states as the queue reports them
    "printer.ok": N_("ready"),
    "printer.paper_low": N_("paper low"),
    "printer.paper_out": N_("out of paper"),
    "printer.offline": N_("offline"),
    "printer.unknown": N_("state unknown"),
    "printer.none": N_("no printer configured"),
    # -- notifications ------------------------------------------------------------------------
    "note.error": N_("Error"),
    "note.printer_alert_title": N_("Printer alert"),
    "note.printer_alert": N_("Printer: {message}. Badges wait in the queue ({waiting})."),
    "note.staff_mode": N_("Staff mode"),
    "note.staff_disabled": N_("Staff mode is disabled."),
    "note.card_refused": N_("Staff card refused."),
    "note.card_failed": N_("Staff card sign-in failed: tell a supervisor."),
    "note.quit_supervisor": N_("Only a supervisor can quit the app."),
    "note.quit_how": N_("To quit, a supervisor uses F10 (Quit app)."),
    "note.quit_action": N_("Quit app is a supervisor action."),
    "note.language": N_("Staff screens in English."),
    # -- dialogs --------------------------------------------------------------------------------
    "confirm.quit": N_("Quit the Accueil app on this kiosk?"),
    "confirm.help": N_("Y / Enter: yes    N / Escape: no"),
    "prompt.help": N_("Enter to confirm, Escape to cancel."),
    "prompt.empty": N_("Please type something first."),
    # -- PIN ------------------------------------------------------------------------------------
    "pin.title": N_("Staff sign-in"),
    "pin.initials": N_("Your initials (for the log)"),
    "pin.pin": N_("PIN"),
    "pin.help": N_("Enter to sign in, Escape to go back."),
    "pin.locked": N_(
        "Too many wrong PINs. Locked for {seconds} s: only the supervisor PIN or the recovery"
        " code is accepted."
    ),
    "pin.again": N_("You can try again."),
    "pin.checking": N_("Checking…"),
    "pin.wrong": NP_(
        "Wrong PIN. {left} attempt left before a lockout.",
        "Wrong PIN. {left} attempts left before a lockout.",
        "left",
    ),
    "pin.failed": N_("Sign-in failed: tell a supervisor (the kiosk log has the details)."),
    # -- desk -----------------------------------------------------------------------------------
    "locked.title": N_("Help desk — press Enter to sign in"),
    "desk.title": N_("Staff desk — signed in as {who}"),
    "desk.search": N_("Name, organisation, e-mail… or scan a badge"),
    "desk.min": N_("Type at least {n} letters. Accents and case do not matter."),
    "desk.none": N_("No one found. Check the spelling, or register a walk-in (F2)."),
    "desk.found": NP_(
        "{n} person found — ↓ to choose, Enter to open.",
        "{n} people found — ↓ to choose, Enter to open.",
        "n",
    ),
    "desk.several": N_("This code matches several registrations: search by name."),
    "desk.unknown_code": N_("Scanned code not in the registration list."),
    "desk.all_days": N_("all"),
    "col.name": N_("Name"),
    "col.organisation": N_("Organisation"),
    "col.role": N_("Role"),
    "col.status": N_("Status"),
    "col.days": N_("Days"),
    "role.participant": N_("participant"),
    "role.speaker": N_("speaker"),
    "role.press": N_("press"),
    "role.staff": N_("staff"),
    "role.organiser": N_("organiser"),
    "role.sponsor": N_("sponsor"),
    "role.exhibitor": N_("exhibitor"),
    "role.vip": N_("VIP"),
    "status.confirmed": N_("confirmed"),
    "status.cancelled": N_("cancelled"),
    "status.unpaid": N_("unpaid"),
    "status.blocked": N_("blocked"),
    # -- attendee detail --------------------------------------------------------------------
    "detail.loading": N_("Loading…"),
    "detail.scans": N_("Scans"),
    "detail.prints": N_("Badge prints"),
    "col.when": N_("When"),
    "col.where": N_("Where"),
    "col.what": N_("What"),
    "col.verdict": N_("Verdict"),
    "col.staff_note": N_("Staff / note"),
    "col.job": N_("Job"),
    "col.asked": N_("Asked"),
    "col.printed": N_("Printed"),
    "detail.all_sessions": N_("all sessions"),
    "detail.summary": N_("Role {role} · status {status} · {days} · {sessions}"),
    "detail.badge": NP_(
        "Badge name: {name}{corrected} · printed {count} time · e-mail {email} · id {id}",
        "Badge name: {name}{corrected} · printed {count} times · e-mail {email} · id {id}",
    ),
    "detail.corrected": N_("  (corrected)"),
    "detail.now": N_("Now: {text}"),
    "detail.sent": N_("Badge sent to the printer."),
    "detail.undone": N_("Undone: {what} of {time}."),
    "detail.undo_of": N_("{what} of {time}"),
    "note.by hand": N_("by hand"),
    "note.walk-in": N_("walk-in"),
    "staff_role.steward": N_("steward"),
    "staff_role.supervisor": N_("supervisor"),
    "detail.yes_no": N_(" (yes / no)"),
    "detail.questions_stopped": N_("Questions stopped: nobody was checked in."),
    "detail.optional_question": N_("{question} (optional)"),
    "detail.gone": N_("registration {id} is no longer in the list"),
    "confirm.undo": N_("Undo this attendee's last accepted scan?"),
    "confirm.reprint": NP_(
        "A badge was already printed {count} time for this person. Print again?",
        "A badge was already printed {count} times for this person. Print again?",
    ),
    "confirm.reprint_waiting": N_(
        "A badge is already waiting for this person (job {job}): it prints now. Replace it "
        "with a new job instead?"
    ),
    "confirm.reprint_uncertain": N_(
        "Printing this badge (job {job}) stopped mid-way: it may already be in the tray. "
        "Check the tray. Not there: print a new one?"
    ),
    "detail.reprint_queued": N_("Reprint queued (job {job})."),
    "detail.note": N_(" Note: {warning}"),
    "detail.no_printer": N_("no printer on this kiosk"),
    "detail.badge_named": N_("Badge name is now '{name}'; reprint with R."),
    "prompt.badge_name": N_("Name to print on the badge (the registration stays as it is):"),
    "detail.supervisor_only": N_(
        "Override is a supervisor action: sign in with the supervisor PIN."
    ),
    "prompt.override": N_("Reason for letting this person in (kept in the log):"),
    "prompt.override_example": N_("e.g. paid cash at desk"),
    "verdict.ok": N_("ok"),
    "verdict.forced": N_("forced "),
    "kind.entry": N_("entry"),
    "kind.exit": N_("exit"),
    "kind.session_entry": N_("session entry"),
    "kind.session_exit": N_("session exit"),
    "kind.undo": N_("undo"),
    "reason.checkin": N_("check-in"),
    "reason.walkin": N_("walk-in"),
    "reason.reprint": N_("reprint"),
    **{f"job.{status}": words for status, words in JOB_STATUS.items()},
    # -- walk-in --------------------------------------------------------------------------------
    "walkin.title": N_("Walk-in registration"),
    "walkin.first_name": N_("First name"),
    "walkin.last_name": N_("Last name"),
    "walkin.organisation": N_("Organisation"),
    "walkin.email": N_("E-mail (optional)"),
    "walkin.role": N_("Role"),
    "walkin.lang": N_("Language"),
    "walkin.days": N_("Days"),
    "walkin.day": N_("Day {n} ({date})"),
    "walkin.submit": N_("Register, check in and print (Ctrl+S)"),
    "walkin.name_needed": N_("A first or last name is needed."),
    "walkin.too_long": N_("At most 60 characters."),
    "walkin.bad_email": N_("This does not look like an e-mail address (name@domain.tld)."),
    "walkin.no_day": N_("Tick at least one day."),
    "walkin.unknown_day": N_("Unknown event day."),
    "walkin.correct": N_("Please correct the fields marked in red."),
    "walkin.registering": N_("Registering…"),
    "walkin.failed": N_("Not registered: {error}"),
    "walkin.done": N_("Walk-in registered and checked in: {name} — {badge}."),
    "walkin.badge_sent": N_("badge sent to the printer"),
    "walkin.no_badge": N_("no badge queued"),
    # -- printer panel --------------------------------------------------------------------
    "printer.state": N_("Printer: {state} · {waiting} waiting"),
    "printer.other_state": N_("Printer {name}: {state} · {waiting} waiting"),
    "printer.last_error": N_(" · last error: {error}"),
    "col.attendee": N_("Attendee"),
    "col.why": N_("Why"),
    "col.tries": N_("Tries"),
    "col.last_error": N_("Last error"),
    "printer.no_job": N_("No job selected."),
    "printer.retried": N_("Job {job}: retry done."),
    "printer.cancelled": N_("Job {job}: cancel done."),
    "printer.press_r": N_("Press R to reprint this badge."),
    # -- sync panel -----------------------------------------------------------------------
    "sync.not_configured": N_('Sync: not configured on this kiosk ([sync] source = "none").'),
    "sync.waiting": N_("Scans and walk-ins waiting to upload: {waiting}"),
    "sync.stay": N_("They stay in the local store and go out once a hub is configured."),
    "sync.state": N_("Sync: {state} · last sync {last}"),
    "sync.online": N_("online"),
    "sync.offline": N_("offline"),
    "sync.never": N_("never"),
    "sync.last_error": N_("Last error: {error}"),
    "sync.no_error": N_("none"),
    "sync.refusals": N_("Entries pretix would have refused: {count}"),
    "sync.none": N_("No sync configured on this kiosk."),
    "sync.asked": N_("Sync asked; the status updates in a few seconds."),
    # -- dashboard ------------------------------------------------------------------------
    "dash.arrivals": N_("Arrivals per 15 minutes (today)"),
    "col.session": N_("Session"),
    "col.room": N_("Room"),
    "col.day": N_("Day"),
    "col.inside": N_("Inside"),
    "col.capacity": N_("Capacity"),
    "col.entries": N_("Entries"),
    "dash.day": N_("day {n}"),
    "dash.no_day": N_("no event day today"),
    "dash.today": N_("Checked in today ({day}): {count}"),
    "dash.total": N_("Checked in in total: {count} of {of}"),
    "dash.waiting": N_("Scans waiting to upload: {waiting}"),
    "dash.last_sync": N_("Last sync: {last}"),
    "dash.no_sync": N_("sync not configured"),
    "dash.printer": N_("Printer: {state}"),
    "dash.lane": N_("Lane health, scan → badge: {lane}"),
    "dash.lane_value": N_("{seconds} s (median of last {n})"),
    "dash.no_badge": N_("no badge printed yet"),
    "dash.no_arrivals": N_("no arrivals yet today"),
    "dash.axis": N_("from {start}, peak {peak} per 15 min"),
    # -- session picker (turning a kiosk into a door) ----------------------------------------
    "picker.question": N_("Which session is this door for? (↑↓, Enter)"),
    "picker.loading": N_("Loading the sessions…"),
    "picker.none": N_("No sessions: load the event first (accueil setup)."),
    "picker.failed": N_(
        "Could not read the sessions: tell a supervisor (details in the kiosk log)."
    ),
    "picker.day": N_("Day {n}"),
    # -- door top bar, for staff ------------------------------------------------------------
    "door.staff_no_session": N_(
        "No session chosen: staff press F12, sign in, then choose the session."
    ),
    "door.staff_disabled": N_("No session chosen, and staff mode is disabled: set [door] session."),
    "door.staff_unreadable": N_("Could not read the session: tell a supervisor."),
    "door.staff_unknown": N_("Unknown session '{session}': staff press F12 to choose one."),
    "door.staff_loading": N_("Loading the session…"),
}
