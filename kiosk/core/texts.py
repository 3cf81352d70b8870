"""What each verdict says, to the attendee (what to do next) and to staff, in fr/en/ar."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.model import Lang, ScanKind
from kiosk.core.verdict import Reason, Verdict

_HELP = {
    Lang.EN: "Please see the help desk.",
    Lang.FR: "Merci de vous adresser à l'accueil.",
    Lang.AR: "يرجى التوجه إلى مكتب الاستقبال.",
}

# Attendee texts: short, polite, and always with the next step.
ATTENDEE: dict[str, dict[Lang, str]] = {
    "ok.entry": {
        Lang.EN: "Welcome, {name}! Take your badge below.",
        Lang.FR: "Bienvenue, {name} ! Prenez votre badge ci-dessous.",
        Lang.AR: "أهلاً وسهلاً، {name}! خذ شارتك من الأسفل.",
    },
    "ok.entry_desk": {
        Lang.EN: "Welcome, {name}! Your badge will be printed at the help desk.",
        Lang.FR: "Bienvenue, {name} ! Votre badge sera imprimé à l'accueil.",
        Lang.AR: "أهلاً وسهلاً، {name}! ستتم طباعة شارتك في مكتب الاستقبال.",
    },
    "ok.reentry": {
        Lang.EN: "Welcome back, {name}!",
        Lang.FR: "Bon retour, {name} !",
        Lang.AR: "مرحباً بعودتك، {name}!",
    },
    "ok.exit": {
        Lang.EN: "Goodbye, {name}. See you soon!",
        Lang.FR: "Au revoir, {name}. À bientôt !",
        Lang.AR: "إلى اللقاء، {name}. نراك قريباً!",
    },
    "ok.session_entry": {
        Lang.EN: "Enjoy the session, {name}!",
        Lang.FR: "Bonne session, {name} !",
        Lang.AR: "نتمنى لك جلسة ممتعة، {name}!",
    },
    "ok.session_exit": {
        Lang.EN: "Thank you, {name}.",
        Lang.FR: "Merci, {name}.",
        Lang.AR: "شكراً لك، {name}.",
    },
    Reason.UNKNOWN: {
        Lang.EN: "We could not find this code. " + _HELP[Lang.EN],
        Lang.FR: "Nous ne trouvons pas ce code. " + _HELP[Lang.FR],
        Lang.AR: "لم نعثر على هذا الرمز. " + _HELP[Lang.AR],
    },
    Reason.INVALID_SIGNATURE: {
        Lang.EN: "This ticket could not be verified. Please see the help desk "
        "with your confirmation e-mail.",
        Lang.FR: "Ce billet n'a pas pu être vérifié. Merci de passer à l'accueil "
        "avec votre e-mail de confirmation.",
        Lang.AR: "تعذّر التحقق من هذه التذكرة. يرجى التوجه إلى مكتب الاستقبال مع رسالة التأكيد.",
    },
    Reason.WRONG_EVENT: {
        Lang.EN: "This ticket is for another event. " + _HELP[Lang.EN],
        Lang.FR: "Ce billet est pour un autre événement. " + _HELP[Lang.FR],
        Lang.AR: "هذه التذكرة لفعالية أخرى. " + _HELP[Lang.AR],
    },
    Reason.SUPERSEDED: {
        Lang.EN: "This ticket was replaced by a newer one. Please show your latest "
        "confirmation e-mail.",
        Lang.FR: "Ce billet a été remplacé par un plus récent. Merci de présenter votre "
        "dernier e-mail de confirmation.",
        Lang.AR: "تم استبدال هذه التذكرة بأخرى أحدث. يرجى إظهار آخر رسالة تأكيد.",
    },
    Reason.CANCELLED: {
        Lang.EN: "This registration was cancelled. " + _HELP[Lang.EN],
        Lang.FR: "Cette inscription a été annulée. " + _HELP[Lang.FR],
        Lang.AR: "تم إلغاء هذا التسجيل. " + _HELP[Lang.AR],
    },
    Reason.UNPAID: {
        Lang.EN: "The payment for this registration is not complete. "
        "Please see the help desk to settle it.",
        Lang.FR: "Le paiement de cette inscription n'est pas finalisé. "
        "Merci de passer à l'accueil pour le régler.",
        Lang.AR: "لم يكتمل دفع هذا التسجيل. يرجى التوجه إلى مكتب الاستقبال لإتمامه.",
    },
    Reason.BLOCKED: {
        Lang.EN: "This ticket cannot be used. " + _HELP[Lang.EN],
        Lang.FR: "Ce billet ne peut pas être utilisé. " + _HELP[Lang.FR],
        Lang.AR: "لا يمكن استخدام هذه التذكرة. " + _HELP[Lang.AR],
    },
    Reason.ALREADY_CHECKED_IN: {
        Lang.EN: "Already checked in at {time} at {kiosk}. Please see the help desk "
        "if you need a new badge.",
        Lang.FR: "Déjà enregistré à {time} à {kiosk}. Adressez-vous à l'accueil "
        "si vous avez besoin d'un nouveau badge.",
        Lang.AR: "تم تسجيل دخولك مسبقاً الساعة {time} في {kiosk}. يرجى التوجه إلى مكتب "
        "الاستقبال إذا احتجت إلى شارة جديدة.",
    },
    "already_checked_in.session": {
        Lang.EN: "You are already in this session (since {time}). Please scan at the exit "
        "when you leave.",
        Lang.FR: "Vous êtes déjà dans cette session (depuis {time}). Merci de scanner à la "
        "sortie en partant.",
        Lang.AR: "أنت مسجل بالفعل في هذه الجلسة (منذ {time}). يرجى المسح عند الخروج.",
    },
    Reason.NOT_CHECKED_IN: {
        Lang.EN: "You have not been checked in yet. Please use the entrance kiosk.",
        Lang.FR: "Vous n'êtes pas encore enregistré. Merci d'utiliser la borne d'entrée.",
        Lang.AR: "لم يتم تسجيل دخولك بعد. يرجى استخدام جهاز الدخول.",
    },
    Reason.NOT_VALID_TODAY: {
        Lang.EN: "Your ticket is not valid today (valid: {days}). " + _HELP[Lang.EN],
        Lang.FR: "Votre billet n'est pas valable aujourd'hui (valable : {days}). " + _HELP[Lang.FR],
        Lang.AR: "تذكرتك غير صالحة اليوم (صالحة: {days}). " + _HELP[Lang.AR],
    },
    Reason.NOT_YET_VALID: {
        Lang.EN: "Your ticket is not valid yet (from {time}). Please come back then "
        "or see the help desk.",
        Lang.FR: "Votre billet n'est pas encore valable (à partir de {time}). Merci de "
        "revenir à ce moment-là ou de passer à l'accueil.",
        Lang.AR: "تذكرتك ليست صالحة بعد (ابتداءً من {time}). يرجى العودة حينها أو التوجه "
        "إلى مكتب الاستقبال.",
    },
    Reason.EXPIRED: {
        Lang.EN: "Your ticket has expired. " + _HELP[Lang.EN],
        Lang.FR: "Votre billet a expiré. " + _HELP[Lang.FR],
        Lang.AR: "انتهت صلاحية تذكرتك. " + _HELP[Lang.AR],
    },
    Reason.QUESTIONS_REQUIRED: {
        Lang.EN: "We have a question for you before you go in. " + _HELP[Lang.EN],
        Lang.FR: "Nous avons une question à vous poser avant l'entrée. " + _HELP[Lang.FR],
        Lang.AR: "لدينا سؤال لك قبل الدخول. " + _HELP[Lang.AR],
    },
    Reason.SESSION_NOT_ALLOWED: {
        Lang.EN: "Your registration does not include this session. " + _HELP[Lang.EN],
        Lang.FR: "Votre inscription ne comprend pas cette session. " + _HELP[Lang.FR],
        Lang.AR: "تسجيلك لا يشمل هذه الجلسة. " + _HELP[Lang.AR],
    },
    Reason.SESSION_FULL: {
        Lang.EN: "This session is full. Please ask a steward about the other sessions.",
        Lang.FR: "Cette session est complète. Demandez à un membre de l'équipe "
        "quelles sessions ont encore de la place.",
        Lang.AR: "هذه الجلسة ممتلئة. يرجى سؤال أحد المنظمين عن الجلسات الأخرى.",
    },
    Reason.AMBIGUOUS: {
        Lang.EN: "This code matches more than one registration. " + _HELP[Lang.EN],
        Lang.FR: "Ce code correspond à plusieurs inscriptions. " + _HELP[Lang.FR],
        Lang.AR: "هذا الرمز يطابق أكثر من تسجيل. " + _HELP[Lang.AR],
    },
}

# Staff texts: what happened and what staff can do about it.
STAFF: dict[str, dict[Lang, str]] = {
    "ok": {
        Lang.EN: "Accepted: {name} ({role}).",
        Lang.FR: "Accepté : {name} ({role}).",
        Lang.AR: "مقبول: {name} ({role}).",
    },
    Reason.UNKNOWN: {
        Lang.EN: "Code not in the registration list. Search by name, or register a walk-in.",
        Lang.FR: "Code absent de la liste des inscrits. Cherchez par nom ou inscrivez "
        "la personne sur place.",
        Lang.AR: "الرمز غير موجود في قائمة التسجيل. ابحث بالاسم أو سجّل الشخص في الموقع.",
    },
    Reason.INVALID_SIGNATURE: {
        Lang.EN: "Signature check failed: forged, altered or damaged ticket. Check ID and "
        "search by name.",
        Lang.FR: "Signature invalide : billet falsifié, modifié ou abîmé. Vérifiez "
        "l'identité et cherchez par nom.",
        Lang.AR: "فشل التحقق من التوقيع: تذكرة مزورة أو معدلة أو تالفة. تحقق من الهوية وابحث بالاسم.",
    },
    Reason.WRONG_EVENT: {
        Lang.EN: "Signed ticket of another event.",
        Lang.FR: "Billet signé d'un autre événement.",
        Lang.AR: "تذكرة موقعة لفعالية أخرى.",
    },
    Reason.SUPERSEDED: {
        Lang.EN: "Old ticket of {name}: a newer code was issued. Search by name.",
        Lang.FR: "Ancien billet de {name} : un nouveau code a été émis. Cherchez par nom.",
        Lang.AR: "تذكرة قديمة لـ {name}: صدر رمز أحدث. ابحث بالاسم.",
    },
    Reason.CANCELLED: {
        Lang.EN: "{name}: registration cancelled. A supervisor may override.",
        Lang.FR: "{name} : inscription annulée. Un superviseur peut passer outre.",
        Lang.AR: "{name}: التسجيل ملغى. يمكن للمشرف التجاوز.",
    },
    Reason.UNPAID: {
        Lang.EN: "{name}: order not paid. Take payment, then check in by hand.",
        Lang.FR: "{name} : commande non payée. Encaissez puis enregistrez à la main.",
        Lang.AR: "{name}: الطلب غير مدفوع. استلم الدفع ثم سجّل الدخول يدوياً.",
    },
    Reason.BLOCKED: {
        Lang.EN: "{name}: ticket blocked by the organisers.",
        Lang.FR: "{name} : billet bloqué par les organisateurs.",
        Lang.AR: "{name}: التذكرة محظورة من قبل المنظمين.",
    },
    Reason.ALREADY_CHECKED_IN: {
        Lang.EN: "{name}: already checked in at {time} at {kiosk}. Reprint if the badge was lost.",
        Lang.FR: "{name} : déjà enregistré à {time} à {kiosk}. Réimprimez si le badge est perdu.",
        Lang.AR: "{name}: سُجّل دخوله الساعة {time} في {kiosk}. أعد الطباعة إذا ضاعت الشارة.",
    },
    Reason.NOT_CHECKED_IN: {
        Lang.EN: "{name}: exit scan without an entry today.",
        Lang.FR: "{name} : sortie sans entrée aujourd'hui.",
        Lang.AR: "{name}: مسح خروج دون دخول اليوم.",
    },
    Reason.NOT_VALID_TODAY: {
        Lang.EN: "{name}: pass valid on {days} only.",
        Lang.FR: "{name} : pass valable uniquement {days}.",
        Lang.AR: "{name}: التذكرة صالحة فقط {days}.",
    },
    Reason.NOT_YET_VALID: {
        Lang.EN: "{name}: ticket valid from {time}.",
        Lang.FR: "{name} : billet valable à partir de {time}.",
        Lang.AR: "{name}: التذكرة صالحة ابتداءً من {time}.",
    },
    Reason.EXPIRED: {
        Lang.EN: "{name}: ticket expired.",
        Lang.FR: "{name} : billet expiré.",
        Lang.AR: "{name}: التذكرة منتهية الصلاحية.",
    },
    Reason.QUESTIONS_REQUIRED: {
        Lang.EN: "{name}: pretix asks check-in questions; check them in at the desk.",
        Lang.FR: "{name} : pretix pose des questions à l'entrée ; enregistrez à l'accueil.",
        Lang.AR: "{name}: يطرح pretix أسئلة عند الدخول؛ سجّل الدخول في مكتب الاستقبال.",
    },
    Reason.SESSION_NOT_ALLOWED: {
        Lang.EN: "{name}: not registered for {session}.",
        Lang.FR: "{name} : pas inscrit à {session}.",
        Lang.AR: "{name}: غير مسجل في {session}.",
    },
    Reason.SESSION_FULL: {
        Lang.EN: "{session} is full ({inside}/{capacity}).",
        Lang.FR: "{session} est complète ({inside}/{capacity}).",
        Lang.AR: "{session} ممتلئة ({inside}/{capacity}).",
    },
    Reason.AMBIGUOUS: {
        Lang.EN: "Code shared by several registrations: search by name.",
        Lang.FR: "Code partagé par plusieurs inscriptions : cherchez par nom.",
        Lang.AR: "الرمز مشترك بين عدة تسجيلات: ابحث بالاسم.",
    },
}

GUEST = {Lang.EN: "dear guest", Lang.FR: "cher invité", Lang.AR: "ضيفنا الكريم"}
DAY_WORD = {Lang.EN: "day", Lang.FR: "jour", Lang.AR: "اليوم"}
AND_WORD = {Lang.EN: " & ", Lang.FR: " & ", Lang.AR: " و "}


def days_text(days: frozenset[int], lang: Lang) -> str:
    """'day 1', 'jour 1 & 2', 'اليوم 1 و 2'; empty means every day."""
    if not days:
        return {Lang.EN: "every day", Lang.FR: "tous les jours", Lang.AR: "كل الأيام"}[lang]
    return f"{DAY_WORD[lang]} " + AND_WORD[lang].join(str(d) for d in sorted(days))


def _fields(verdict: Verdict, lang: Lang, session_title: str) -> dict[str, object]:
    reg = verdict.registration
    when = verdict.previous_at
    if when is None and reg is not None and reg.valid_from is not None:
        when = reg.valid_from
    return {
        "name": (reg.name_on_badge if reg else "") or GUEST[lang],
        "role": reg.role.value if reg else "",
        "days": days_text(reg.days, lang) if reg else "",
        "time": _when_text(when, verdict.reason) if when else "",
        "kiosk": verdict.previous_kiosk or "?",
        "session": session_title or (verdict.session_id or ""),
        "inside": verdict.inside if verdict.inside is not None else "?",
        "capacity": verdict.capacity if verdict.capacity is not None else "?",
    }


def _when_text(when: datetime, reason: Reason) -> str:
    """09:12 for today's repeats; 08/12 14:00 (or 08/12 from midnight) for validity."""
    if reason is not Reason.NOT_YET_VALID:
        return when.strftime("%H:%M")
    if (when.hour, when.minute) == (0, 0):
        return when.strftime("%d/%m")
    return when.strftime("%d/%m %H:%M")


def _attendee_key(verdict: Verdict) -> str:
    if verdict.ok:
        if verdict.kind is ScanKind.ENTRY and not verdict.earns_badge:
            return "ok.reentry"  # back after an exit, or on day 2 with yesterday's badge
        return f"ok.{verdict.kind.value}"
    if verdict.reason is Reason.ALREADY_CHECKED_IN and verdict.session_id is not None:
        return "already_checked_in.session"
    return verdict.reason.value


def attendee_text(
    verdict: Verdict, lang: Lang, session_title: str = "", *, badge_at_desk: bool = False
) -> str:
    """The sentence shown to the attendee, ending with what to do next.

    ``badge_at_desk``: the badge this check-in earned will not come out here (the printer
    cannot print it now): send the attendee to the help desk instead of the tray.
    """
    key = _attendee_key(verdict)
    if badge_at_desk and key == "ok.entry":
        key = "ok.entry_desk"
    template = ATTENDEE[key][lang]
    return template.format(**_fields(verdict, lang, session_title))


def staff_text(verdict: Verdict, lang: Lang, session_title: str = "") -> str:
    """The sentence shown to staff: what happened and what they can do."""
    key = "ok" if verdict.ok else verdict.reason.value
    return STAFF[key][lang].format(**_fields(verdict, lang, session_title))
