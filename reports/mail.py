"""The e-mails the letters send to the clinic's own staff (never to the justice system: a letter
leaves through reports.services.letter_dispatch). Each goes through the outbox
(casework.mail.mail_clinician), in the clinician's language, and names files by number only."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.mail import mail_clinician
from casework.models import CareTeamMembership
from reports.models import Letter


def tell_care_teams(letters: list[Letter]) -> int:
    """E-mail each clinician of the patients' current care teams the letters drafted for them,
    in one message per clinician. Returns how many were sent."""
    if not letters:
        return 0
    by_clinician: dict = {}
    memberships = CareTeamMembership.objects.filter(
        patient_id__in={letter.patient_id for letter in letters}, ends_on__isnull=True
    ).select_related("clinician")
    for membership in memberships:
        if membership.clinician.is_active and membership.clinician.email:
            entry = by_clinician.setdefault(membership.clinician.pk, (membership.clinician, []))
            entry[1].extend(
                letter for letter in letters if letter.patient_id == membership.patient_id
            )
    for clinician, theirs in by_clinician.values():
        mail_clinician(
            clinician,
            lambda theirs=theirs: _letters_due_mail(theirs),
            purpose=_("Letters to prepare"),
        )
    return len(by_clinician)


def _letters_due_mail(letters: list[Letter]) -> tuple[str, str, list[str]]:
    count = len(letters)
    subject = ngettext(
        "%(count)d letter to the justice system to prepare",
        "%(count)d letters to the justice system to prepare",
        count,
    ) % {"count": count}
    intro = _(
        "These letters have been drafted from the file and wait for you. They state facts "
        "about the frame of the treatment only."
    )
    lines = [
        _("%(reference)s — %(letter)s — file %(file)s, due %(date)s")
        % {
            "reference": letter.reference,
            "letter": letter.type.name,
            "file": letter.patient.file_number,
            "date": formats.date_format(letter.due_on, "SHORT_DATE_FORMAT")
            if letter.due_on
            else "—",
        }
        for letter in sorted(
            letters, key=lambda letter: (letter.due_on or datetime.date.max, letter.pk)
        )
    ]
    return subject, intro, lines
