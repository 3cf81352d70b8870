"""Seed a fresh pretix database with a small test event; runs INSIDE pretix's own shell.

`scripts/pretix_server.py` runs it as ``python -m pretix shell --command ...`` in pretix's
virtualenv, so it may import pretix and Django but nothing from Accueil. It prints one JSON
object: the organizer and event slugs, the check-in list id, two API tokens (an admin token
for the tests and a least-privilege kiosk token) and, per named ticket, its position id,
secret and order code.
"""

import json
import os
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.timezone import now
from django_scopes import scopes_disabled
from pretix.base.models import (
    CheckinList,
    Event,
    Item,
    Order,
    OrderPosition,
    Organizer,
    Question,
    Quota,
    Team,
)

BULK = int(os.environ.get("ACCUEIL_PRETIX_SEED_BULK", "60"))

# label -> (order status, item key, given name, family name, locale, extra position fields)
NAMED = {
    "paid": (
        "p",
        "pass",
        "Yasmine",
        "Benali",
        "fr",
        {"company": "Casa Smart", "attendee_email": "yasmine@example.org"},
    ),
    "arabic": ("p", "pass", "يوسف", "العلوي", "ar", {}),
    "pending": ("n", "pass", "Omar", "Pending", "fr", {}),
    "pending_valid": ("n", "pass", "Salma", "Trusted", "en", {}),
    "cancelled": ("c", "pass", "Karim", "Cancelled", "fr", {}),
    "expired": ("e", "pass", "Nadia", "Expired", "fr", {}),
    "blocked": ("p", "pass", "Hamza", "Blocked", "fr", {"blocked": ["admin"]}),
    "future": ("p", "pass", "Leila", "Later", "en", {"valid_from": now() + timedelta(days=30)}),
    "to_cancel": ("p", "pass", "Mehdi", "Changes", "fr", {}),
    "speaker": ("p", "speaker", "Amina", "Speaker", "en", {}),
    "refused": ("p", "pass", "Rachid", "Refused", "fr", {}),
    "workshop": ("p", "workshop", "Ines", "Workshop", "fr", {}),
}


def _order(event, channel, status, locale, email, people, valid_if_pending=False):
    """One order with its positions, booked the way pretix expects (with its transactions)."""
    with transaction.atomic():
        order = Order.objects.create(
            event=event,
            status=status,
            email=email,
            locale=locale,
            datetime=now(),
            expires=now() + timedelta(days=10),
            total=sum((item.default_price for item, *_ in people), Decimal("0.00")),
            sales_channel=channel,
            valid_if_pending=valid_if_pending,
        )
        positions = [
            OrderPosition.objects.create(
                order=order,
                positionid=number,
                item=item,
                price=item.default_price,
                attendee_name_parts={
                    "_scheme": "given_family",
                    "given_name": given,
                    "family_name": family,
                },
                **extra,
            )
            for number, (item, given, family, extra) in enumerate(people, start=1)
        ]
        order.create_transactions()
    return order, positions


def seed():
    organizer = Organizer.objects.create(name="Smart City Events", slug="smartcity")
    channel = organizer.sales_channels.get(identifier="web")
    event = Event.objects.create(
        organizer=organizer,
        name={"fr": "Smart City Casablanca Symposium", "en": "Smart City Casablanca Symposium"},
        slug="sccs",
        date_from=now(),
        date_to=now() + timedelta(days=1),
        currency="MAD",
        live=True,
    )
    event.settings.timezone = "Africa/Casablanca"
    event.settings.locales = ["fr", "en", "ar"]
    event.settings.locale = "fr"
    event.settings.name_scheme = "given_family"
    items = {
        "pass": Item.objects.create(
            event=event,
            name={"fr": "Pass 2 jours", "en": "2-day pass"},
            default_price=Decimal("900"),
        ),
        "speaker": Item.objects.create(
            event=event,
            name={"en": "Speaker"},
            default_price=Decimal("0"),
            checkin_attention=True,
            checkin_text="Remettre le badge orateur et le cordon vert",
        ),
        "workshop": Item.objects.create(
            event=event, name={"en": "Workshop only"}, default_price=Decimal("200")
        ),
    }
    quota = Quota.objects.create(event=event, name="Places", size=None)  # unlimited
    quota.items.set(items.values())
    clist = CheckinList.objects.create(event=event, name="Entrée principale", all_products=False)
    clist.limit_products.set([items["pass"], items["speaker"]])
    # A session door's list: the workshop product only (pretix_session_lists "WS=<id>").
    workshop_list = CheckinList.objects.create(event=event, name="Atelier", all_products=False)
    workshop_list.limit_products.set([items["workshop"]])
    # Asked at check-in of speakers (required): the desk asks it, the kiosk cannot.
    question = Question.objects.create(
        event=event,
        question={"fr": "Pièce d'identité vérifiée ?", "en": "ID checked?"},
        type=Question.TYPE_BOOLEAN,
        required=True,
        ask_during_checkin=True,
    )
    question.items.set([items["speaker"]])

    admin = Team.objects.create(
        organizer=organizer,
        name="Admin",
        all_events=True,
        all_event_permissions=True,
        all_organizer_permissions=True,
    )
    kiosk = Team.objects.create(
        organizer=organizer,
        name="Kiosks",
        all_events=True,
        limit_event_permissions={"event.orders:read": True, "event.orders:checkin": True},
    )
    admin_token = admin.tokens.create(name="tests")
    kiosk_token = kiosk.tokens.create(name="accueil")

    tickets = {}
    for label, (status, item_key, given, family, locale, extra) in NAMED.items():
        order, (pos,) = _order(
            event,
            channel,
            status,
            locale,
            f"{label}@example.org",
            [(items[item_key], given, family, extra)],
            valid_if_pending=(label == "pending_valid"),
        )
        tickets[label] = {"position": pos.pk, "secret": pos.secret, "order": order.code}
    # One order, two attendees.
    order, pair = _order(
        event,
        channel,
        "p",
        "en",
        "team@example.org",
        [(items["pass"], "Sara", "First", {}), (items["pass"], "Youssef", "Second", {})],
    )
    for n, pos in enumerate(pair):
        tickets[f"pair{n}"] = {"position": pos.pk, "secret": pos.secret, "order": order.code}
    bulk = []
    for n in range(BULK):
        _, (pos,) = _order(
            event,
            channel,
            "p",
            "fr",
            f"bulk{n}@example.org",
            [(items["pass"], f"Participant{n:03d}", "Bulk", {})],
        )
        bulk.append(pos.secret)

    return {
        "organizer": organizer.slug,
        "event": event.slug,
        "checkin_list": clist.pk,
        "workshop_list": workshop_list.pk,
        "checkin_question": question.pk,
        "items": {k: v.pk for k, v in items.items()},
        "admin_token": admin_token.token,
        "kiosk_token": kiosk_token.token,
        "tickets": tickets,
        "bulk": bulk,
    }


with scopes_disabled():
    print("PRETIX-SEED " + json.dumps(seed()))
