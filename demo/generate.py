"""Generate the bundled demo event: the Smart City Casablanca Symposium.

Deterministic: the same script always writes the same files (a fixed random seed and a
fixed demo signing key; Ed25519 signatures are deterministic). Run it from the
repository root:

    python demo/generate.py            # writes demo/event.json, registrations.csv, keys

The demo organiser key is public knowledge: never use it for a real event
(`accueil keys generate` makes a real one).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import signing  # noqa: E402
from kiosk.core import tickets  # noqa: E402
from kiosk.core.model import Role  # noqa: E402
from sync.csvfile import SafeDictWriter  # noqa: E402

OUT = ROOT / "demo"
SEED = 2026
SLUG = "scc-2026"
TOTAL = 760
DEMO_KEY_SEED = hashlib.sha256(b"accueil demo organiser key - never use for a real event").digest()

EVENT = {
    "slug": SLUG,
    "name": "Smart City Casablanca Symposium",
    "timezone": "Africa/Casablanca",
    "days": [{"number": 1, "date": "2026-12-08"}, {"number": 2, "date": "2026-12-09"}],
    "sessions": [
        {"id": "P1", "title": "Opening plenary: Casablanca 2035", "room": "Grand Hall", "day": 1, "start": "09:30", "end": "10:45", "capacity": 600},
        {"id": "W1", "title": "Workshop: Mobility data for everyone", "room": "Salle Atlas", "day": 1, "start": "11:15", "end": "12:45", "capacity": 40},
        {"id": "W2", "title": "Workshop: Smart grids and solar districts", "room": "Salle Anfa", "day": 1, "start": "11:15", "end": "12:45", "capacity": 40},
        {"id": "P2", "title": "Plenary: Resilient coastal cities", "room": "Grand Hall", "day": 1, "start": "14:00", "end": "15:30", "capacity": 600},
        {"id": "W3", "title": "Atelier : participation citoyenne numérique", "room": "Salle Atlas", "day": 1, "start": "16:00", "end": "17:30", "capacity": 35},
        {"id": "P3", "title": "Plénière : financer la ville intelligente", "room": "Grand Hall", "day": 2, "start": "09:30", "end": "10:45", "capacity": 600},
        {"id": "W4", "title": "Workshop: AI for urban services", "room": "Salle Anfa", "day": 2, "start": "11:15", "end": "12:45", "capacity": 40},
        {"id": "W5", "title": "ورشة: إدارة المياه في المدن الذكية", "room": "Salle Atlas", "day": 2, "start": "11:15", "end": "12:45", "capacity": 30},
        {"id": "P4", "title": "Closing plenary and awards", "room": "Grand Hall", "day": 2, "start": "16:00", "end": "17:00", "capacity": 600},
    ],
}  # fmt: skip

FRENCH_FIRST = [
    "Camille",
    "Hélène",
    "Léa",
    "Chloé",
    "Manon",
    "Inès",
    "Zoé",
    "Élodie",
    "Céline",
    "Amélie",
    "Juliette",
    "Noémie",
    "Thomas",
    "Lucas",
    "Hugo",
    "Théo",
    "Mathéo",
    "Étienne",
    "Benoît",
    "François",
    "Jérôme",
    "Sébastien",
    "Rémi",
    "Gaëtan",
    "Loïc",
    "Cédric",
    "Aurélien",
    "Joël",
]
FRENCH_LAST = [
    "Dupont",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Bonnet",
    "Mercier",
    "Lemaître",
    "Fournier",
    "Rousseau",
    "Faure",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Brunet",
    "Roussel",
    "Lefebvre",
    "Leclerc",
    "Bérenger",
    "Garnier",
    "Benoît",
    "Mathieu",
    "Dubois",
    "Duval",
    "Besançon",
    "Châtelain",
]
ENGLISH_FIRST = [
    "Emily",
    "Sarah",
    "Olivia",
    "Grace",
    "Hannah",
    "Charlotte",
    "James",
    "Oliver",
    "William",
    "Henry",
    "George",
    "Daniel",
    "Michael",
    "Jack",
    "Samuel",
    "Ethan",
]
ENGLISH_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "Hughes",
    "Green",
    "Clarke",
    "Hall",
    "O'Connor",
]
MOROCCAN_LATIN_FIRST = [
    "Youssef",
    "Mehdi",
    "Amine",
    "Hamza",
    "Omar",
    "Karim",
    "Said",
    "Rachid",
    "Nabil",
    "Anas",
    "Ayoub",
    "Salma",
    "Imane",
    "Kawtar",
    "Meryem",
    "Hajar",
    "Ghita",
    "Nadia",
    "Zineb",
    "Houda",
    "Sanaa",
    "Fatima-Zahra",
]
# Compound surnames are one name each ("El Amrani", not "El" and "Amrani"): kept on one line
# with fmt: skip so no formatter splits them again (tests/test_demo.py checks the CSV).
MOROCCAN_LATIN_LAST = ["El Amrani", "Bennani", "Alaoui", "Tazi", "Berrada", "Chraibi", "El Idrissi", "Benjelloun", "Lahlou", "Naciri", "Fassi Fihri", "Kettani", "Sqalli", "Bouzoubaa", "El Ouazzani", "Zniber", "Guessous", "Belhaj", "Ait Lahcen", "Ouali"]  # fmt: skip
# The seeded draw takes one of 25 slots, as it did when the five compound names filled two
# slots each: every other registration of the demo (ids, codes, names) stays as it was.
MOROCCAN_LAST_SLOTS = [
    MOROCCAN_LATIN_LAST[i] for i in (0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 14, 15, 16, 17, 18, 18, 19)
]  # fmt: skip
# Arabic-script names with the Latin spelling used for their e-mail addresses.
ARABIC_FIRST = [
    ("محمد", "mohamed"),
    ("أحمد", "ahmed"),
    ("يوسف", "youssef"),
    ("عبد الله", "abdellah"),
    ("إبراهيم", "ibrahim"),
    ("خالد", "khaled"),
    ("عمر", "omar"),
    ("حسن", "hassan"),
    ("فاطمة", "fatima"),
    ("خديجة", "khadija"),
    ("مريم", "meryem"),
    ("سلمى", "salma"),
    ("أسماء", "asmae"),
    ("ليلى", "leila"),
    ("نور", "nour"),
    ("إيمان", "imane"),
]
ARABIC_LAST = [
    ("العلوي", "alaoui"),
    ("بنعلي", "benali"),
    ("الإدريسي", "idrissi"),
    ("التازي", "tazi"),
    ("الفاسي", "fassi"),
    ("بناني", "bennani"),
    ("الشرايبي", "chraibi"),
    ("المنصوري", "mansouri"),
    ("الزياني", "ziani"),
    ("القادري", "kadiri"),
    ("الحسني", "hassani"),
    ("بوعزة", "bouazza"),
]

COMPANIES = [
    "Ville de Casablanca", "Casablanca Events & Animation", "Université Hassan II", "OCP Group",
    "Lydec", "Orange Maroc", "Maroc Telecom", "Casablanca Finance City", "Capgemini",
    "Schneider Electric", "Siemens", "Université Mohammed VI Polytechnique", "ONEE", "Alstom",
    "Dassault Systèmes", "CDG Invest", "Al Omrane", "Inwi", "Attijariwafa bank", "Bank of Africa",
    "Ministère de l'Intérieur", "ADD — Agence de Développement du Digital", "Renault Group Maroc",
    "جامعة الحسن الثاني", "الوكالة الحضرية للدار البيضاء", "Masen", "UN-Habitat", "GIZ", "AFD",
]  # fmt: skip
PRESS = ["Médias24", "Le Matin", "TelQuel", "2M", "Hespress", "L'Économiste", "Le360", "وكالة المغرب العربي للأنباء", "Reuters", "Jeune Afrique"]  # fmt: skip
SPEAKER_COUNTRIES = ["MA", "FR", "BE", "CA", "SN", "TN", "EG", "AE", "ES", "DE", "GB", "US"]


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if c.isascii() and (c.isalnum() or c in " -"))
    return text.lower().replace(" ", "").replace("-", "")


def person(rng: random.Random, culture: str) -> tuple[str, str, str, str]:
    """(first, last, e-mail local part, lang)."""
    if culture == "arabic":
        (first, f_lat), (last, l_lat) = rng.choice(ARABIC_FIRST), rng.choice(ARABIC_LAST)
        return first, last, f"{f_lat}.{l_lat}", "ar"
    first, last = {
        "french": (rng.choice(FRENCH_FIRST), rng.choice(FRENCH_LAST)),
        "english": (rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)),
        "moroccan": (rng.choice(MOROCCAN_LATIN_FIRST), rng.choice(MOROCCAN_LAST_SLOTS)),
    }[culture]
    lang = {"french": "fr", "english": "en", "moroccan": rng.choice(["fr", "fr", "ar", "en"])}[
        culture
    ]
    return first, last, f"{ascii_slug(first)}.{ascii_slug(last)}", lang


def build_rows(rng: random.Random) -> list[dict[str, str]]:
    roles = (
        [Role.SPEAKER] * 55 + [Role.PRESS] * 22 + [Role.STAFF] * 28 + [Role.ORGANISER] * 9
        + [Role.SPONSOR] * 16
    )  # fmt: skip
    roles += [Role.PARTICIPANT] * (TOTAL - len(roles))
    rows = []
    speaker_countries = [SPEAKER_COUNTRIES[i % len(SPEAKER_COUNTRIES)] for i in range(55)]
    rng.shuffle(speaker_countries)
    workshops = [s["id"] for s in EVENT["sessions"] if str(s["id"]).startswith("W")]
    plenaries = [s["id"] for s in EVENT["sessions"] if str(s["id"]).startswith("P")]
    speaker_index = 0
    for n, role in enumerate(roles, start=1):
        culture = rng.choices(["moroccan", "arabic", "french", "english"], [40, 22, 26, 12])[0]
        country = "MA"
        if role is Role.SPEAKER:
            country = speaker_countries[speaker_index]
            speaker_index += 1
            culture = {"FR": "french", "BE": "french", "CA": "french", "SN": "french",
                       "GB": "english", "US": "english", "DE": "english", "ES": "english",
                       "EG": "arabic", "AE": "arabic", "TN": rng.choice(["arabic", "french"]),
                       "MA": rng.choice(["moroccan", "arabic"])}[country]  # fmt: skip
        elif culture in ("french", "english"):
            country = rng.choice(
                ["FR", "MA", "BE", "CA"] if culture == "french" else ["GB", "US", "MA"]
            )
        first, last, local, lang = person(rng, culture)
        if n == 7:  # a long name, to exercise badge layout
            first, last = "Marie-Christine Éléonore", "de La Rochefoucauld-Montmorency"
            local, lang = "mc.delarochefoucauld", "fr"
        organisation = rng.choice(PRESS if role is Role.PRESS else COMPANIES)
        domain = ascii_slug(organisation.split(" ")[0]) or "mail"
        status, days, ticket = "confirmed", "", "Full pass (2 days)"
        roll = rng.random()
        if role is Role.PARTICIPANT:
            if roll < 0.016:
                status = "cancelled"
            elif roll < 0.030:
                status = "unpaid"
            elif roll < 0.033:
                status = "blocked"
            elif roll < 0.12:
                days, ticket = "1", "Day 1 pass"
            elif roll < 0.17:
                days, ticket = "2", "Day 2 pass"
        ticket = {Role.SPEAKER: "Speaker", Role.PRESS: "Press", Role.STAFF: "Staff",
                  Role.ORGANISER: "Organiser", Role.SPONSOR: "Sponsor pass"}.get(role, ticket)  # fmt: skip
        sessions = ""
        if role is Role.PARTICIPANT and rng.random() < 0.35:
            chosen = rng.sample(workshops, k=rng.choice([1, 2]))
            if days:
                day = int(days)
                chosen = [w for w in chosen if _session_day(w) == day] or [
                    w for w in workshops if _session_day(w) == day
                ][:1]
                sessions = ";".join(
                    sorted([p for p in plenaries if _session_day(p) == day] + chosen)
                )
            else:
                sessions = ";".join(sorted(plenaries + chosen))
        rows.append({
            "id": f"S{n:04d}", "first_name": first, "last_name": last,
            "email": f"{local}@{domain}.example", "organisation": organisation, "role": role.value,
            "ticket_type": ticket, "days": days, "sessions": sessions, "status": status,
            "lang": lang, "codes": "", "valid_from": "", "valid_until": "", "country": country,
            "badge_name": "",
        })  # fmt: skip
    return rows


def _session_day(session_id: str) -> int:
    return next(int(s["day"]) for s in EVENT["sessions"] if s["id"] == session_id)


def main() -> None:
    rng = random.Random(SEED)
    key_path, pub_path = OUT / "demo-organiser.key", OUT / "organiser.pub"
    signing.generate(key_path, pub_path, seed=DEMO_KEY_SEED)
    sign = signing.load_signer(key_path)
    rows = build_rows(rng)
    for row in rows:
        days = frozenset(int(d) for d in row["days"].split(";") if d)
        row["codes"] = tickets.encode(row["id"], Role(row["role"]), days, SLUG, sign)
    (OUT / "event.json").write_text(
        json.dumps(EVENT, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with (OUT / "registrations.csv").open("w", encoding="utf-8", newline="") as f:
        writer = SafeDictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} registrations, {len(EVENT['sessions'])} sessions to {OUT.name}/")


if __name__ == "__main__":
    main()
