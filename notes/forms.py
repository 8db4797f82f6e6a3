from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.forms import DateInput, FieldsetsMixin
from notes.models import ClinicalNote, PlanGoal


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


class PlanForm(FieldsetsMixin, forms.Form):
    """A version of the plan: a row per goal (those left empty are not kept), and on a review
    the progress made on each; then the day of the next review."""

    def __init__(self, *args, rows: int, review: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.review = rows, review
        self.fieldsets = []
        for n in range(1, rows + 1):
            self.fields[f"goal_{n}"] = forms.CharField(
                label=_("Goal"),
                required=n == 1,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"interventions_{n}"] = forms.CharField(
                label=_("Interventions"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("What the treatment does towards it."),
            )
            names = [f"goal_{n}", f"interventions_{n}"]
            if review:
                self.fields[f"progress_{n}"] = forms.ChoiceField(
                    label=_("Progress since the last version"),
                    choices=[("", "—"), *PlanGoal.Progress.choices],
                    required=False,
                )
                names.append(f"progress_{n}")
            self.fieldsets.append((_("Goal %(number)d") % {"number": n}, names))
        self.fields["review_on"] = forms.DateField(label=_("Next review"), widget=DateInput())
        self.fieldsets.append((pgettext_lazy("treatment plan", "Review"), ["review_on"]))


class PlanCloseForm(FieldsetsMixin, forms.Form):
    """The end of the treatment: for each goal of the plan, how far it was reached and a few
    words on it."""

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_count = len(goals)
        self.fieldsets = []
        for n, goal in enumerate(goals, start=1):
            self.fields[f"progress_{n}"] = forms.ChoiceField(
                label=_("Reached"),
                choices=[("", "—"), *PlanGoal.Progress.choices],
                help_text=goal.goal,
            )
            self.fields[f"summary_{n}"] = forms.CharField(
                label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fieldsets.append(
                (_("Goal %(number)d") % {"number": n}, [f"progress_{n}", f"summary_{n}"])
            )


def goals_from(data: dict) -> list[dict]:
    """A PlanForm's rows, in order."""
    return [
        {
            "goal": data.get(f"goal_{n}", ""),
            "interventions": data.get(f"interventions_{n}", ""),
            "progress": data.get(f"progress_{n}", ""),
        }
        for n in range(1, len([k for k in data if k.startswith("goal_")]) + 1)
    ]


def summaries_from(data: dict) -> list[dict]:
    """A PlanCloseForm's goals, in order."""
    return [
        {"progress": data.get(f"progress_{n}", ""), "summary": data.get(f"summary_{n}", "")}
        for n in range(1, len([k for k in data if k.startswith("summary_")]) + 1)
    ]
