from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput
from common import uploads


def _session_label(attendance) -> str:
    starts_at = timezone.localtime(attendance.appointment.starts_at)
    return f"{formats.date_format(starts_at, 'SHORT_DATETIME_FORMAT')} — {attendance.outcome}"


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=capfirst(_("kind")))
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(kind.content_type for kind in uploads.ACCEPTED)}
        ),
    )
    dated = forms.DateField(label=_("Dated"), widget=DateInput(), initial=timezone.localdate)
    title = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Optional: what the list shows instead of the file's name."),
    )
    attendance = forms.ModelChoiceField(
        label=_("Session whose absence it justifies"),
        queryset=None,
        required=False,
        help_text=_("Evidence for an absence only: the session then has its evidence."),
    )

    def __init__(self, *args, kinds=(), sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *kinds]
        self.fields["attendance"].queryset = sessions
        self.fields["attendance"].label_from_instance = _session_label
        self.fields["file"].help_text = _("A PDF, a PNG or a JPEG image, %(max)d MB at most.") % {
            "max": settings.DOCUMENT_MAX_MB
        }
