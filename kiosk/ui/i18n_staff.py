"""What the staff screens say, in French, English and Arabic (kiosk.ui.i18n merges it in).

Verdict sentences for staff come from kiosk.core.texts.staff_text; keys here are grouped
by screen: key.* (footer), alert.*, note.* (notifications), pin.*, desk.*, col.* (table
columns), detail.*, walkin.*, printer.*, sync.*, dash.*, picker.*.
"""

from __future__ import annotations

from kiosk.core.model import Lang

FR, EN, AR = Lang.FR, Lang.EN, Lang.AR


def _t(fr: str, en: str, ar: str) -> dict[Lang, str]:
    return {FR: fr, EN: en, AR: ar}


STAFF_UI: dict[str, dict[Lang, str]] = {
    # -- footer keys ----------------------------------------------------------------------
    "key.walkin": _t("Sur place", "Walk-in", "تسجيل جديد"),
    "key.printer": _t("Imprimante", "Printer", "الطابعة"),
    "key.sync": _t("Synchro", "Sync", "المزامنة"),
    "key.dashboard": _t("Bilan", "Dashboard", "الإحصاءات"),
    "key.door": _t("Porte", "Door", "المدخل"),
    "key.leave_door": _t("Fin de la porte", "End door mode", "إنهاء وضع المدخل"),
    "key.lock": _t("Sortir", "Sign out", "خروج"),
    "key.quit": _t("Quitter", "Quit app", "إغلاق"),
    "key.back": _t("Retour", "Back", "رجوع"),
    "key.clear": _t("Effacer", "Clear", "مسح"),
    "key.language": _t("Langue", "Language", "اللغة"),
    "key.sign_in": _t("Se connecter", "Sign in", "تسجيل الدخول"),
    "key.checkin": _t("Enregistrer", "Check in", "تسجيل الحضور"),
    "key.undo": _t("Annuler scan", "Undo", "تراجع"),
    "key.reprint": _t("Réimprimer", "Reprint", "إعادة الطباعة"),
    "key.badge_name": _t("Nom du badge", "Badge name", "الاسم على الشارة"),
    "key.override": _t("Forcer", "Override", "استثناء"),
    "key.submit": _t("Inscrire + imprimer", "Register + print", "تسجيل + طباعة"),
    "key.retry": _t("Relancer", "Retry job", "إعادة المحاولة"),
    "key.cancel_job": _t("Annuler la tâche", "Cancel job", "إلغاء المهمة"),
    "key.reprint_badge": _t("Réimprimer le badge", "Reprint badge", "إعادة طباعة الشارة"),
    "key.sync_now": _t("Synchroniser", "Sync now", "مزامنة الآن"),
    "key.cancel": _t("Annuler", "Cancel", "إلغاء"),
    "key.yes": _t("Oui", "Yes", "نعم"),
    "key.no": _t("Non", "No", "لا"),
    # -- alert line on every staff screen ---------------------------------------------------
    "alert.printer_down": _t(
        "⚠ Imprimante {message} : {waiting} badge(s) en attente",
        "⚠ Printer {message}: {waiting} badge(s) waiting",
        "⚠ الطابعة {message}: {waiting} شارة في الانتظار",
    ),
    "alert.printer_warn": _t("Imprimante : {message}", "Printer: {message}", "الطابعة: {message}"),
    "alert.no_printer": _t(
        "Pas d'imprimante : les badges sont imprimés ailleurs",
        "No printer: badges are printed elsewhere",
        "لا توجد طابعة: تُطبع الشارات في مكان آخر",
    ),
    "alert.sync_error": _t("⚠ Synchro : {error}", "⚠ Sync: {error}", "⚠ المزامنة: {error}"),
    "alert.sync_offline": _t(
        "Synchro hors ligne : {waiting} scan(s) en attente",
        "Sync offline: {waiting} scan(s) waiting",
        "المزامنة غير متصلة: {waiting} مسح في الانتظار",
    ),
    "alert.attendee_screen": _t(
        "⚠ Équipe : imprimante {message} — {waiting} badge(s) en attente (F12 → F3 imprimante)",
        "⚠ Staff: printer {message} — {waiting} badge(s) waiting (F12 → F3 printer panel)",
        "⚠ للمنظمين: الطابعة {message} — {waiting} شارة في الانتظار (F12 ← F3 الطابعة)",
    ),
    "alert.scanner_layout": _t(
        "⚠ Équipe : disposition clavier du scanner : réglez-la sur {layout} "
        "(les codes arrivent tapés pour un autre clavier)",
        "⚠ Staff: scanner keyboard layout: set it to {layout} "
        "(codes arrive typed for another keyboard)",
        "⚠ للمنظمين: تخطيط لوحة مفاتيح الماسح: اضبطه على {layout} "
        "(الرموز تصل مكتوبة بلوحة مفاتيح أخرى)",
    ),
    # printer states as the queue reports them
    "printer.ok": _t("prête", "ready", "جاهزة"),
    "printer.paper_low": _t("papier bientôt fini", "paper low", "الورق على وشك النفاد"),
    "printer.paper_out": _t("plus de papier", "out of paper", "نفد الورق"),
    "printer.offline": _t("hors ligne", "offline", "غير متصلة"),
    "printer.unknown": _t("état inconnu", "state unknown", "حالة غير معروفة"),
    "printer.none": _t("aucune imprimante", "no printer configured", "لا توجد طابعة"),
    # -- notifications ------------------------------------------------------------------------
    "note.error": _t("Erreur", "Error", "خطأ"),
    "note.printer_alert_title": _t("Alerte imprimante", "Printer alert", "تنبيه الطابعة"),
    "note.printer_alert": _t(
        "Imprimante : {message}. Les badges attendent dans la file ({waiting}).",
        "Printer: {message}. Badges wait in the queue ({waiting}).",
        "الطابعة: {message}. الشارات تنتظر في قائمة الطباعة ({waiting}).",
    ),
    "note.staff_mode": _t("Mode équipe", "Staff mode", "وضع المنظمين"),
    "note.staff_disabled": _t(
        "Le mode équipe est désactivé.", "Staff mode is disabled.", "وضع المنظمين معطل."
    ),
    "note.card_refused": _t("Carte équipe refusée.", "Staff card refused.", "تم رفض بطاقة المنظم."),
    "note.card_failed": _t(
        "La connexion par carte a échoué : prévenez un superviseur.",
        "Staff card sign-in failed: tell a supervisor.",
        "فشل الدخول ببطاقة المنظم: أبلغ المشرف.",
    ),
    "note.quit_supervisor": _t(
        "Seul un superviseur peut quitter l'application.",
        "Only a supervisor can quit the app.",
        "المشرف وحده يستطيع إغلاق التطبيق.",
    ),
    "note.quit_how": _t(
        "Pour quitter, un superviseur utilise F10 (Quitter).",
        "To quit, a supervisor uses F10 (Quit app).",
        "للخروج، يستخدم المشرف F10 (إغلاق).",
    ),
    "note.quit_action": _t(
        "Quitter l'application est réservé au superviseur.",
        "Quit app is a supervisor action.",
        "إغلاق التطبيق من صلاحيات المشرف.",
    ),
    "note.language": _t(
        "Écrans équipe en français.", "Staff screens in English.", "شاشات المنظمين بالعربية."
    ),
    # -- dialogs --------------------------------------------------------------------------------
    "confirm.quit": _t(
        "Quitter l'application Accueil sur cette borne ?",
        "Quit the Accueil app on this kiosk?",
        "هل تريد إغلاق تطبيق Accueil على هذا الجهاز؟",
    ),
    "confirm.help": _t(
        "Y / Entrée : oui    N / Échap : non",
        "Y / Enter: yes    N / Escape: no",
        "Y / Enter: نعم    N / Escape: لا",
    ),
    "prompt.help": _t(
        "Entrée pour valider, Échap pour annuler.",
        "Enter to confirm, Escape to cancel.",
        "Enter للتأكيد، Escape للإلغاء.",
    ),
    "prompt.empty": _t(
        "Tapez d'abord quelque chose.", "Please type something first.", "يرجى كتابة شيء أولاً."
    ),
    # -- PIN ------------------------------------------------------------------------------------
    "pin.title": _t("Connexion équipe", "Staff sign-in", "دخول فريق التنظيم"),
    "pin.initials": _t(
        "Vos initiales (pour le journal)",
        "Your initials (for the log)",
        "الأحرف الأولى من اسمك (للسجل)",
    ),
    "pin.pin": _t("Code PIN", "PIN", "الرمز السري"),
    "pin.help": _t(
        "Entrée pour vous connecter, Échap pour revenir.",
        "Enter to sign in, Escape to go back.",
        "Enter لتسجيل الدخول، Escape للرجوع.",
    ),
    "pin.locked": _t(
        "Trop de codes erronés. Bloqué {seconds} s : seul le PIN superviseur ou le code de "
        "secours est accepté.",
        "Too many wrong PINs. Locked for {seconds} s: only the supervisor PIN or the recovery "
        "code is accepted.",
        "رموز خاطئة كثيرة. مقفل لمدة {seconds} ث: يُقبل فقط رمز المشرف أو رمز الاستعادة.",
    ),
    "pin.again": _t("Vous pouvez réessayer.", "You can try again.", "يمكنك المحاولة مجدداً."),
    "pin.checking": _t("Vérification…", "Checking…", "جارٍ التحقق…"),
    "pin.wrong": _t(
        "Code erroné. Encore {left} essai(s) avant blocage.",
        "Wrong PIN. {left} attempt(s) left before a lockout.",
        "رمز خاطئ. بقيت {left} محاولة قبل القفل.",
    ),
    "pin.failed": _t(
        "Échec de la connexion : prévenez un superviseur (détails dans le journal de la borne).",
        "Sign-in failed: tell a supervisor (the kiosk log has the details).",
        "فشل تسجيل الدخول: أبلغ المشرف (التفاصيل في سجل الجهاز).",
    ),
    # -- desk -----------------------------------------------------------------------------------
    "locked.title": _t(
        "Accueil équipe — appuyez sur Entrée pour vous connecter",
        "Help desk — press Enter to sign in",
        "مكتب الاستقبال — اضغط Enter لتسجيل الدخول",
    ),
    "desk.title": _t(
        "Accueil équipe — connecté : {who}",
        "Staff desk — signed in as {who}",
        "مكتب المنظمين — متصل باسم {who}",
    ),
    "desk.search": _t(
        "Nom, organisation, e-mail… ou scannez un badge",
        "Name, organisation, e-mail… or scan a badge",
        "الاسم أو المؤسسة أو البريد… أو امسح شارة",
    ),
    "desk.min": _t(
        "Tapez au moins {n} lettres. Accents et majuscules sont ignorés.",
        "Type at least {n} letters. Accents and case do not matter.",
        "اكتب {n} أحرف على الأقل. لا أهمية للتشكيل ولا لحالة الأحرف.",
    ),
    "desk.none": _t(
        "Personne trouvé. Vérifiez l'orthographe, ou inscrivez sur place (F2).",
        "No one found. Check the spelling, or register a walk-in (F2).",
        "لم يُعثر على أحد. تحقق من الإملاء أو سجّل مشاركاً جديداً (F2).",
    ),
    "desk.found": _t(
        "{n} trouvé(s) — ↓ pour choisir, Entrée pour ouvrir.",
        "{n} found — ↓ to choose, Enter to open.",
        "النتائج: {n} — ↓ للاختيار، Enter للفتح.",
    ),
    "desk.several": _t(
        "Ce code correspond à plusieurs inscriptions : cherchez par nom.",
        "This code matches several registrations: search by name.",
        "هذا الرمز يطابق عدة تسجيلات: ابحث بالاسم.",
    ),
    "desk.unknown_code": _t(
        "Code scanné absent de la liste des inscrits.",
        "Scanned code not in the registration list.",
        "الرمز الممسوح غير موجود في قائمة المسجلين.",
    ),
    "desk.all_days": _t("tous", "all", "الكل"),
    "col.name": _t("Nom", "Name", "الاسم"),
    "col.organisation": _t("Organisation", "Organisation", "المؤسسة"),
    "col.role": _t("Rôle", "Role", "الصفة"),
    "col.status": _t("Statut", "Status", "الحالة"),
    "col.days": _t("Jours", "Days", "الأيام"),
    "role.participant": _t("participant", "participant", "مشارك"),
    "role.speaker": _t("intervenant", "speaker", "متحدث"),
    "role.press": _t("presse", "press", "صحافة"),
    "role.staff": _t("équipe", "staff", "منظم"),
    "role.organiser": _t("organisateur", "organiser", "منظِّم"),
    "role.sponsor": _t("sponsor", "sponsor", "راعٍ"),
    "role.exhibitor": _t("exposant", "exhibitor", "عارض"),
    "role.vip": _t("VIP", "VIP", "شخصية مهمة"),
    "status.confirmed": _t("confirmé", "confirmed", "مؤكد"),
    "status.cancelled": _t("annulé", "cancelled", "ملغى"),
    "status.unpaid": _t("non payé", "unpaid", "غير مدفوع"),
    "status.blocked": _t("bloqué", "blocked", "محظور"),
    # -- attendee detail --------------------------------------------------------------------
    "detail.loading": _t("Chargement…", "Loading…", "جارٍ التحميل…"),
    "detail.scans": _t("Scans", "Scans", "عمليات المسح"),
    "detail.prints": _t("Impressions du badge", "Badge prints", "طباعة الشارة"),
    "col.when": _t("Quand", "When", "متى"),
    "col.where": _t("Où", "Where", "أين"),
    "col.what": _t("Quoi", "What", "ماذا"),
    "col.verdict": _t("Résultat", "Verdict", "النتيجة"),
    "col.staff_note": _t("Équipe / note", "Staff / note", "المنظم / ملاحظة"),
    "col.job": _t("Tâche", "Job", "المهمة"),
    "col.asked": _t("Demandé", "Asked", "الطلب"),
    "col.printed": _t("Imprimé", "Printed", "الطباعة"),
    "detail.all_sessions": _t("toutes les sessions", "all sessions", "كل الجلسات"),
    "detail.summary": _t(
        "Rôle {role} · statut {status} · {days} · {sessions}",
        "Role {role} · status {status} · {days} · {sessions}",
        "الصفة {role} · الحالة {status} · {days} · {sessions}",
    ),
    "detail.badge": _t(
        "Nom sur le badge : {name}{corrected} · imprimé {count}× · e-mail {email} · id {id}",
        "Badge name: {name}{corrected} · printed {count}× · e-mail {email} · id {id}",
        "الاسم على الشارة: {name}{corrected} · طُبعت {count} مرة · البريد {email} · المعرف {id}",
    ),
    "detail.corrected": _t("  (corrigé)", "  (corrected)", "  (مصحح)"),
    "detail.now": _t("Maintenant : {text}", "Now: {text}", "الآن: {text}"),
    "detail.sent": _t(
        "Badge envoyé à l'imprimante.", "Badge sent to the printer.", "أُرسلت الشارة إلى الطابعة."
    ),
    "detail.undone": _t("Annulé : {note}.", "Undone: {note}.", "تم التراجع: {note}."),
    "detail.yes_no": _t(" (oui / non)", " (yes / no)", " (نعم / لا)"),
    "detail.questions_stopped": _t(
        "Questions interrompues : personne n'a été enregistré.",
        "Questions stopped: nobody was checked in.",
        "توقفت الأسئلة: لم يُسجَّل أي دخول.",
    ),
    "detail.gone": _t(
        "l'inscription {id} n'est plus dans la liste",
        "registration {id} is no longer in the list",
        "التسجيل {id} لم يعد في القائمة",
    ),
    "confirm.undo": _t(
        "Annuler le dernier scan accepté de cette personne ?",
        "Undo this attendee's last accepted scan?",
        "هل تريد التراجع عن آخر مسح مقبول لهذا المشارك؟",
    ),
    "confirm.reprint": _t(
        "Un badge a déjà été imprimé {count}× pour cette personne. Réimprimer ?",
        "A badge was already printed {count}× for this person. Print again?",
        "سبقت طباعة شارة {count} مرة لهذا الشخص. هل تريد الطباعة مجدداً؟",
    ),
    "confirm.reprint_waiting": _t(
        "Un badge attend déjà pour cette personne (tâche {job}) : il s'imprime maintenant. "
        "Le remplacer par une nouvelle tâche ?",
        "A badge is already waiting for this person (job {job}): it prints now. "
        "Replace it with a new job instead?",
        "شارة هذا الشخص في الانتظار بالفعل (المهمة {job}) وستُطبع الآن. "
        "هل تريد استبدالها بمهمة جديدة؟",
    ),
    "confirm.reprint_uncertain": _t(
        "L'impression du badge (tâche {job}) s'est interrompue : il est peut-être déjà dans "
        "le bac. Vérifiez le bac. Il n'y est pas : en imprimer un nouveau ?",
        "Printing this badge (job {job}) stopped mid-way: it may already be in the tray. "
        "Check the tray. Not there: print a new one?",
        "توقفت طباعة هذه الشارة (المهمة {job}) في منتصفها: قد تكون في الدرج. "
        "تحقق من الدرج. إن لم تكن هناك: هل تطبع شارة جديدة؟",
    ),
    "detail.reprint_queued": _t(
        "Réimpression en file (tâche {job}).",
        "Reprint queued (job {job}).",
        "أُضيفت إعادة الطباعة إلى القائمة (المهمة {job}).",
    ),
    "detail.note": _t(" Note : {warning}", " Note: {warning}", " ملاحظة: {warning}"),
    "detail.no_printer": _t(
        "pas d'imprimante sur cette borne",
        "no printer on this kiosk",
        "لا توجد طابعة على هذا الجهاز",
    ),
    "detail.badge_named": _t(
        "Le nom du badge est maintenant « {name} » ; réimprimez avec R.",
        "Badge name is now '{name}'; reprint with R.",
        "الاسم على الشارة الآن «{name}»؛ أعد الطباعة بالزر R.",
    ),
    "prompt.badge_name": _t(
        "Nom à imprimer sur le badge (l'inscription reste inchangée) :",
        "Name to print on the badge (the registration stays as it is):",
        "الاسم المطبوع على الشارة (يبقى التسجيل كما هو):",
    ),
    "detail.supervisor_only": _t(
        "Forcer est réservé au superviseur : connectez-vous avec le code superviseur.",
        "Override is a supervisor action: sign in with the supervisor PIN.",
        "الاستثناء من صلاحيات المشرف: سجّل الدخول برمز المشرف.",
    ),
    "prompt.override": _t(
        "Motif pour laisser entrer cette personne (gardé au journal) :",
        "Reason for letting this person in (kept in the log):",
        "سبب السماح بدخول هذا الشخص (يُحفظ في السجل):",
    ),
    "prompt.override_example": _t(
        "ex. payé en espèces à l'accueil", "e.g. paid cash at desk", "مثلاً: دفع نقداً في المكتب"
    ),
    "verdict.ok": _t("ok", "ok", "مقبول"),
    "verdict.forced": _t("forcé ", "forced ", "استثناء "),
    "kind.entry": _t("entrée", "entry", "دخول"),
    "kind.exit": _t("sortie", "exit", "خروج"),
    "kind.session_entry": _t("entrée session", "session entry", "دخول جلسة"),
    "kind.session_exit": _t("sortie session", "session exit", "خروج جلسة"),
    "kind.undo": _t("annulation", "undo", "تراجع"),
    "reason.checkin": _t("arrivée", "check-in", "تسجيل الحضور"),
    "reason.walkin": _t("sur place", "walk-in", "تسجيل جديد"),
    "reason.reprint": _t("réimpression", "reprint", "إعادة طباعة"),
    "job.pending": _t("en attente", "pending", "في الانتظار"),
    "job.printing": _t("en impression", "printing", "قيد الطباعة"),
    "job.done": _t("imprimé", "done", "تمت"),
    "job.failed": _t("échec", "failed", "فشلت"),
    "job.cancelled": _t("annulé", "cancelled", "ملغاة"),
    "job.uncertain": _t("à vérifier", "check tray", "تحقق من الدرج"),
    "job.desk": _t("à imprimer à l'accueil", "print at desk", "للطباعة في الاستقبال"),
    "job.held": _t("retenu", "held", "معلّقة"),
    # -- walk-in --------------------------------------------------------------------------------
    "walkin.title": _t("Inscription sur place", "Walk-in registration", "تسجيل مشارك جديد"),
    "walkin.first_name": _t("Prénom", "First name", "الاسم الشخصي"),
    "walkin.last_name": _t("Nom", "Last name", "الاسم العائلي"),
    "walkin.organisation": _t("Organisation", "Organisation", "المؤسسة"),
    "walkin.email": _t("E-mail (facultatif)", "E-mail (optional)", "بريد (اختياري)"),
    "walkin.role": _t("Rôle", "Role", "الصفة"),
    "walkin.lang": _t("Langue", "Language", "اللغة"),
    "walkin.days": _t("Jours", "Days", "الأيام"),
    "walkin.day": _t("Jour {n} ({date})", "Day {n} ({date})", "اليوم {n} ({date})"),
    "walkin.submit": _t(
        "Inscrire, enregistrer et imprimer (Ctrl+S)",
        "Register, check in and print (Ctrl+S)",
        "تسجيل وإدخال وطباعة (Ctrl+S)",
    ),
    "walkin.name_needed": _t(
        "Un prénom ou un nom est nécessaire.",
        "A first or last name is needed.",
        "يلزم الاسم الشخصي أو العائلي.",
    ),
    "walkin.too_long": _t(
        "60 caractères au maximum.", "At most 60 characters.", "60 حرفاً على الأكثر."
    ),
    "walkin.bad_email": _t(
        "Ceci ne ressemble pas à une adresse e-mail (nom@domaine.tld).",
        "This does not look like an e-mail address (name@domain.tld).",
        "هذا لا يبدو عنوان بريد إلكتروني (name@domain.tld).",
    ),
    "walkin.no_day": _t(
        "Cochez au moins un jour.", "Tick at least one day.", "اختر يوماً واحداً على الأقل."
    ),
    "walkin.unknown_day": _t(
        "Jour inconnu pour cet événement.", "Unknown event day.", "يوم غير موجود في الحدث."
    ),
    "walkin.correct": _t(
        "Corrigez les champs signalés en rouge.",
        "Please correct the fields marked in red.",
        "يرجى تصحيح الحقول المعلمة بالأحمر.",
    ),
    "walkin.registering": _t("Inscription…", "Registering…", "جارٍ التسجيل…"),
    "walkin.failed": _t(
        "Non inscrit : {error}", "Not registered: {error}", "لم يتم التسجيل: {error}"
    ),
    "walkin.done": _t(
        "Inscrit sur place et enregistré : {name} — {badge}.",
        "Walk-in registered and checked in: {name} — {badge}.",
        "تم تسجيل المشارك الجديد وحضوره: {name} — {badge}.",
    ),
    "walkin.badge_sent": _t(
        "badge envoyé à l'imprimante", "badge sent to the printer", "أُرسلت الشارة إلى الطابعة"
    ),
    "walkin.no_badge": _t("aucun badge en file", "no badge queued", "لا شارة في قائمة الطباعة"),
    # -- printer panel --------------------------------------------------------------------
    "printer.state": _t(
        "Imprimante : {state} · {waiting} en attente",
        "Printer: {state} · {waiting} waiting",
        "الطابعة: {state} · {waiting} في الانتظار",
    ),
    "printer.other_state": _t(
        "Imprimante {name} : {state} · {waiting} en attente",
        "Printer {name}: {state} · {waiting} waiting",
        "الطابعة {name}: {state} · {waiting} في الانتظار",
    ),
    "printer.last_error": _t(
        " · dernière erreur : {error}", " · last error: {error}", " · آخر خطأ: {error}"
    ),
    "col.attendee": _t("Participant", "Attendee", "المشارك"),
    "col.why": _t("Motif", "Why", "السبب"),
    "col.tries": _t("Essais", "Tries", "المحاولات"),
    "col.last_error": _t("Dernière erreur", "Last error", "آخر خطأ"),
    "printer.no_job": _t("Aucune tâche choisie.", "No job selected.", "لم تُختر أي مهمة."),
    "printer.retried": _t(
        "Tâche {job} : remise en file.",
        "Job {job}: retry done.",
        "المهمة {job}: أُعيدت إلى القائمة.",
    ),
    "printer.cancelled": _t(
        "Tâche {job} : annulée.", "Job {job}: cancel done.", "المهمة {job}: أُلغيت."
    ),
    "printer.press_r": _t(
        "Appuyez sur R pour réimprimer ce badge.",
        "Press R to reprint this badge.",
        "اضغط R لإعادة طباعة هذه الشارة.",
    ),
    # -- sync panel -----------------------------------------------------------------------
    "sync.not_configured": _t(
        'Synchro : non configurée sur cette borne ([sync] source = "none").',
        'Sync: not configured on this kiosk ([sync] source = "none").',
        'المزامنة: غير مهيأة على هذا الجهاز ([sync] source = "none").',
    ),
    "sync.waiting": _t(
        "Scans et inscriptions sur place à envoyer : {waiting}",
        "Scans and walk-ins waiting to upload: {waiting}",
        "عمليات مسح وتسجيلات تنتظر الإرسال: {waiting}",
    ),
    "sync.stay": _t(
        "Ils restent dans la base locale et partent dès qu'un hub est configuré.",
        "They stay in the local store and go out once a hub is configured.",
        "تبقى في القاعدة المحلية وتُرسل عند تهيئة الخادم.",
    ),
    "sync.state": _t(
        "Synchro : {state} · dernière synchro {last}",
        "Sync: {state} · last sync {last}",
        "المزامنة: {state} · آخر مزامنة {last}",
    ),
    "sync.online": _t("en ligne", "online", "متصلة"),
    "sync.offline": _t("hors ligne", "offline", "غير متصلة"),
    "sync.never": _t("jamais", "never", "أبداً"),
    "sync.last_error": _t("Dernière erreur : {error}", "Last error: {error}", "آخر خطأ: {error}"),
    "sync.no_error": _t("aucune", "none", "لا يوجد"),
    "sync.refusals": _t(
        "Entrées que pretix aurait refusées : {count}",
        "Entries pretix would have refused: {count}",
        "دخول كان pretix سيرفضه: {count}",
    ),
    "sync.none": _t(
        "Pas de synchro configurée sur cette borne.",
        "No sync configured on this kiosk.",
        "لا توجد مزامنة مهيأة على هذا الجهاز.",
    ),
    "sync.asked": _t(
        "Synchro demandée ; l'état se met à jour dans quelques secondes.",
        "Sync asked; the status updates in a few seconds.",
        "طُلبت المزامنة؛ تتحدث الحالة خلال ثوانٍ.",
    ),
    # -- dashboard ------------------------------------------------------------------------
    "dash.arrivals": _t(
        "Arrivées par 15 minutes (aujourd'hui)",
        "Arrivals per 15 minutes (today)",
        "الوصول كل 15 دقيقة (اليوم)",
    ),
    "col.session": _t("Session", "Session", "الجلسة"),
    "col.room": _t("Salle", "Room", "القاعة"),
    "col.day": _t("Jour", "Day", "اليوم"),
    "col.inside": _t("Présents", "Inside", "الحاضرون"),
    "col.capacity": _t("Capacité", "Capacity", "السعة"),
    "col.entries": _t("Entrées", "Entries", "الدخول"),
    "dash.day": _t("jour {n}", "day {n}", "اليوم {n}"),
    "dash.no_day": _t(
        "pas de jour d'événement aujourd'hui", "no event day today", "لا يوجد يوم للحدث اليوم"
    ),
    "dash.today": _t(
        "Enregistrés aujourd'hui ({day}) : {count}",
        "Checked in today ({day}): {count}",
        "الحضور اليوم ({day}): {count}",
    ),
    "dash.total": _t(
        "Enregistrés au total : {count} sur {of}",
        "Checked in in total: {count} of {of}",
        "مجموع الحضور: {count} من {of}",
    ),
    "dash.waiting": _t(
        "Scans à envoyer : {waiting}",
        "Scans waiting to upload: {waiting}",
        "عمليات مسح تنتظر الإرسال: {waiting}",
    ),
    "dash.last_sync": _t("Dernière synchro : {last}", "Last sync: {last}", "آخر مزامنة: {last}"),
    "dash.no_sync": _t("synchro non configurée", "sync not configured", "المزامنة غير مهيأة"),
    "dash.printer": _t("Imprimante : {state}", "Printer: {state}", "الطابعة: {state}"),
    "dash.lane": _t(
        "Fluidité, scan → badge : {lane}",
        "Lane health, scan → badge: {lane}",
        "سرعة المسار، مسح ← شارة: {lane}",
    ),
    "dash.lane_value": _t(
        "{seconds} s (médiane des {n} derniers)",
        "{seconds} s (median of last {n})",
        "{seconds} ث (وسيط آخر {n})",
    ),
    "dash.no_badge": _t("aucun badge imprimé", "no badge printed yet", "لم تُطبع أي شارة بعد"),
    "dash.no_arrivals": _t(
        "pas encore d'arrivée aujourd'hui", "no arrivals yet today", "لا وصول بعد اليوم"
    ),
    "dash.axis": _t(
        "depuis {start}, pic de {peak} par 15 min",
        "from {start}, peak {peak} per 15 min",
        "منذ {start}، الذروة {peak} كل 15 دقيقة",
    ),
    # -- session picker (turning a kiosk into a door) ----------------------------------------
    "picker.question": _t(
        "Pour quelle session est cette porte ? (↑↓, Entrée)",
        "Which session is this door for? (↑↓, Enter)",
        "لأي جلسة هذا المدخل؟ (↑↓، Enter)",
    ),
    "picker.loading": _t("Chargement des sessions…", "Loading the sessions…", "جارٍ تحميل الجلسات…"),
    "picker.none": _t(
        "Aucune session : chargez d'abord l'événement (accueil setup).",
        "No sessions: load the event first (accueil setup).",
        "لا توجد جلسات: حمّل الحدث أولاً (accueil setup).",
    ),
    "picker.failed": _t(
        "Impossible de lire les sessions : prévenez un superviseur (détails dans le journal).",
        "Could not read the sessions: tell a supervisor (details in the kiosk log).",
        "تعذرت قراءة الجلسات: أبلغ المشرف (التفاصيل في سجل الجهاز).",
    ),
    "picker.day": _t("Jour {n}", "Day {n}", "اليوم {n}"),
    # -- door top bar, for staff ------------------------------------------------------------
    "door.staff_no_session": _t(
        "Aucune session choisie : l'équipe appuie sur F12, se connecte et choisit la session.",
        "No session chosen: staff press F12, sign in, then choose the session.",
        "لم تُختر أي جلسة: يضغط المنظم F12 ويسجل الدخول ثم يختار الجلسة.",
    ),
    "door.staff_disabled": _t(
        "Aucune session choisie et mode équipe désactivé : réglez [door] session.",
        "No session chosen, and staff mode is disabled: set [door] session.",
        "لم تُختر أي جلسة ووضع المنظمين معطل: اضبط [door] session.",
    ),
    "door.staff_unreadable": _t(
        "Session illisible : prévenez un superviseur.",
        "Could not read the session: tell a supervisor.",
        "تعذرت قراءة الجلسة: أبلغ المشرف.",
    ),
    "door.staff_unknown": _t(
        "Session inconnue « {session} » : l'équipe appuie sur F12 pour en choisir une.",
        "Unknown session '{session}': staff press F12 to choose one.",
        "جلسة غير معروفة «{session}»: يضغط المنظم F12 لاختيار جلسة.",
    ),
    "door.staff_loading": _t(
        "Chargement de la session…", "Loading the session…", "جارٍ تحميل الجلسة…"
    ),
}
