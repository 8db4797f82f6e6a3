"""The forms of the staff accounts page (accounts.views_staff)."""

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)


class AccountForm(RoleForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they type to log in, e.g. “psy.martin”: letters, digits and @.+-_"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("A link to choose their password is sent there."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The clinic's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Of the e-mail and the pages; they can change it later."),
    )

    field_order = ["first_name", "last_name", "username", "email", "role", "language"]
