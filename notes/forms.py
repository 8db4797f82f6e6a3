from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from notes.models import ClinicalNote


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=capfirst(_("kind")),
        choices=ClinicalNote.Kind.choices,
        widget=forms.RadioSelect,
        initial=ClinicalNote.Kind.SESSION,
    )
    appointment = forms.ModelChoiceField(
        label=capfirst(_("session")), queryset=None, required=False
    )
    text = forms.CharField(label=capfirst(_("note")), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = sessions
        self.fields["appointment"].label_from_instance = lambda a: (
            f"{timezone.localtime(a.starts_at):%d/%m/%Y %H:%M} — {a.get_kind_display()}"
        )


class NoteTextForm(forms.Form):
    text = forms.CharField(label=capfirst(_("note")), widget=forms.Textarea(attrs={"rows": 10}))
