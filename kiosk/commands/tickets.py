"""`accueil tickets`: a QR code PNG and a one-page HTML ticket per registration."""

from __future__ import annotations

import argparse
import base64
import html
import io
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants

from kiosk.core import tickets
from kiosk.core.i18n import LANGUAGES, N_, language, translate
from kiosk.core.model import Event, Registration
from kiosk.core.texts import days_text
from kiosk.locale import translator
from printers.layout import ROLE_LABELS

HOW_TO = N_("Show this code to the camera of a check-in kiosk; your badge prints at once.")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "tickets",
        help="write each attendee's QR code (PNG) and a one-page ticket (HTML)",
        description="Registrations without a code get a signed one (needs [event] "
        "private_key). Codes from other systems (pretix secrets, Eventbrite barcodes) are "
        "drawn as they are.",
    )
    parser.add_argument("--out", type=Path, help="folder (default: DATA_DIR/tickets)")
    parser.add_argument("--id", action="append", dest="ids", help="only this registration")
    parser.add_argument("--no-html", action="store_true", help="PNG files only")
    parser.add_argument(
        "--lang", choices=sorted(LANGUAGES), help="replies (default: [staff] language)"
    )
    parser.set_defaults(func=run)


def qr_image(text: str) -> tuple[Any, int]:
    """A QR code at error-correction level M, the smallest version that holds the text."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(text, optimize=0)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white"), qr.version


def run(args: argparse.Namespace, rt: Any) -> int:
    out: Path = args.out or rt.config.data_dir / "tickets"
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    event: Event = rt.event
    tr = translator(args.lang or rt.config.staff.language)
    regs = [rt.store.get(i) for i in args.ids] if args.ids else rt.store.all_registrations()
    unknown = [i for i, r in zip(args.ids or [], regs, strict=False) if r is None]
    if unknown:
        print(tr.gettext(N_("accueil tickets: unknown registration id {id}")).format(
            id=unknown[0]), file=sys.stderr)  # fmt: skip
        return 1
    versions: Counter[int] = Counter()
    for reg in regs:
        code = reg.codes[0] if reg.codes else None
        if code is None:
            if rt.signer is None:
                print(tr.gettext(N_(
                    "accueil tickets: {id} has no code and [event] private_key is not set, so "
                    "no signed code can be made")).format(id=reg.id), file=sys.stderr)  # fmt: skip
                return 1
            code = tickets.encode(reg.id, reg.role, reg.days, event.slug, rt.signer)
            rt.store.add_codes(reg.id, [code])
        image, version = qr_image(code)
        versions[version] += 1
        png = out / f"{reg.id}.png"
        image.save(png)
        os.chmod(png, 0o600)
        if not args.no_html:
            page = out / f"{reg.id}.html"
            lang = reg.lang or rt.config.kiosk.language
            page.write_text(ticket_page(event, reg, image, str(lang)), encoding="utf-8")
            os.chmod(page, 0o600)
    summary = ", ".join(
        tr.gettext(N_("version {version}: {count}")).format(version=v, count=n)
        for v, n in sorted(versions.items())
    )
    wrote = tr.ngettext(
        "wrote {count} ticket to {folder} (QR {versions})",
        "wrote {count} tickets to {folder} (QR {versions})",
        len(regs),
    )
    print(wrote.format(count=len(regs), folder=out, versions=summary))
    return 0


def ticket_page(event: Event, reg: Registration, image: Any, lang: str = "fr") -> str:
    """A printable, e-mailable ticket page with the QR code embedded.

    Written in ``lang`` (the attendee's language: role, days, direction); how to use the
    code is said in every language of the catalogues, the attendee's first, since a
    ticket is often forwarded.
    """
    buffer = io.BytesIO()
    image.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode()
    tr = translator(lang)
    name = html.escape(reg.full_name)
    dates = ", ".join(d.date.strftime("%d/%m/%Y") for d in event.days if reg.valid_on(d.number))
    role = translate(tr, ROLE_LABELS[reg.role])
    facts = " · ".join(html.escape(x) for x in (role, days_text(reg.days, tr), dates) if x)
    alt = html.escape(tr.gettext(N_("QR code")))
    others = [code for code in LANGUAGES if code != lang]
    help_lines = "\n".join(
        f'<p lang="{code}" dir="{language(code).direction}">'
        f"{html.escape(translator(code).gettext(HOW_TO))}</p>"
        for code in (lang, *others)
    )
    return f"""<!doctype html>
<html lang="{lang}" dir="{language(lang).direction}"><head><meta charset="utf-8">
<title>{html.escape(event.name)} — {name}</title>
<style>
body {{ font-family: {", ".join(f'"{f}"' for f in language(lang).fonts)}, Arial, sans-serif;
        max-width: 36em; margin: 2em auto; }}
h1 {{ font-size: 1.3em; }} .name {{ font-size: 2em; font-weight: bold; unicode-bidi: plaintext; }}
img {{ width: 18em; height: 18em; image-rendering: pixelated; }}
.help p {{ margin: .3em 0; }} [dir=rtl] {{ text-align: right; }} [dir=ltr] {{ text-align: left; }}
</style></head><body>
<h1 dir="auto">{html.escape(event.name)}</h1>
<p class="name" dir="auto">{name}</p>
<p dir="auto">{html.escape(reg.organisation)}</p>
<p>{facts}</p>
<img alt="{alt}" src="data:image/png;base64,{data}">
<div class="help">
{help_lines}
</div>
<p><small>{html.escape(reg.id)}</small></p>
</body></html>
"""
