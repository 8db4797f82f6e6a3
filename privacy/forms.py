from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput
from privacy.models import AccessCopy


class AccessCopyForm(forms.Form):
    request_received_on = forms.DateField(
        label=capfirst(_("request received on")), widget=DateInput(), initial=timezone.localdate
    )
    request_note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        max_length=AccessCopy._meta.get_field("request_note").max_length,
        help_text=AccessCopy._meta.get_field("request_note").help_text,
    )
