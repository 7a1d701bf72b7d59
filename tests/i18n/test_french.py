"""French end to end (issue 27), without a browser: an e-mail alert to a French-speaking user is
written in French, the Code's French terms included, while an English-speaking colleague's stays
English; the pages follow the reader's language (tests/browser/test_browser_languages.py walks
them in a browser)."""

from django.core import mail
from support.bodies import pln
from support.people import web_client

from hcoc.accounts.models import User
from hcoc.delivery.alerts import alerts_send_immediate
from hcoc.lib.timeutil import shown_utc
from hcoc.notifications.schemas import PLNIn
from hcoc.notifications.services import notification_submit


def test_an_alert_to_a_french_speaking_user_is_in_french(personas):
    for name, language in (("jpn_reader", "fr"), ("jpn_submitter", "")):
        User.objects.filter(username=name).update(email=f"{name}@example.org", language=language)
    body = pln()
    france = User.objects.get(username="fra_submitter")
    n = notification_submit(actor=france, data=PLNIn.model_validate(body))
    assert alerts_send_immediate() == 2

    french = next(m for m in mail.outbox if m.to == ["jpn_reader@example.org"])
    assert french.subject.startswith(f"HCoC: Notification préalable au lancement {n.reference}")
    opens, closes = (shown_utc(body["window"][k]) for k in ("opens", "closes"))
    for expected in (
        f"Référence\u00a0: {n.reference}",
        "État\u00a0: France\n",
        "Classe générique\u00a0: SLV-medium (lanceur spatial)",
        # Dates stay ISO 8601 in UTC in every language.
        f"Fenêtre\u00a0: du {opens} au {closes}",
        "Direction\u00a0: azimut 90° vrai",
        "Votre État\u00a0: Non\u00a0: elle ne concerne pas votre territoire",
        "L'ouvrir\u00a0: http",
        "Choisissez les alertes que vous recevez sur la page de votre compte.",
    ):
        assert expected in french.body, (expected, french.body)
    (html, _), *_ = french.alternatives
    assert '<html lang="fr" dir="ltr">' in html and "L'ouvrir dans l'échange" in html

    english = next(m for m in mail.outbox if m.to == ["jpn_submitter@example.org"])
    assert english.subject.startswith(f"HCoC: Pre-launch notification {n.reference}")
    assert "Your state: No: it does not concern your territory" in english.body


def test_a_french_speaking_users_pages_are_in_french_and_an_english_speakers_are_not(personas):
    User.objects.filter(username="fra_reader").update(language="fr")
    page = web_client("fra_reader").get("/inbox").content.decode()
    for expected in ("Boîte de réception", "Tableau de bord", "Se déconnecter", "Langue"):
        assert expected in page, expected
    assert '<html lang="fr" dir="ltr">' in page
    english = web_client("jpn_reader").get("/inbox").content.decode()
    assert "Inbox" in english and "Boîte de réception" not in english
