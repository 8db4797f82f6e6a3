"""Three house rules, read from the source (docs/architecture.md, "House rules"):

1. No queryset `.update()` on a model that keeps its history (simple_history): an update
   writes no history row, and the history is how the clinic answers "who changed this?".
2. `raise PermissionDenied` only in permission rules and the mixins that apply them, so that
   who may do what is written in one place per app.
3. Every public service takes its `actor` as a keyword-only argument, so that it can check
   what the actor may do whatever view, API or task calls it.

Where today's code breaks rule 1 or 3 on purpose, the place is listed below (with a count for
rule 1): a new breach fails, and a listed one that goes must leave the list. Rule 2 has no
list: besides the rules, only the mixins named in MIXINS raise PermissionDenied (issue 27).
Each rule is shown to fail on a deliberately bad line.
"""

import ast
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "assessments",
    "audit",
    "casework",
    "clinic_statistics",
    "common",
    "config",
    "documents",
    "helpline",
    "notes",
    "privacy",
    "reports",
    "workspace",
)


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text()


# --- Rule 1: no .update() on a model with history --------------------------------------------

# Updates that write no history on purpose, each with its reason where it is written:
# appointments.py keeps the attendances' copy of their session's time (a kept column,
# docs/architecture.md), which no person edits.
UPDATE_ALLOWED = Counter({"casework/models/appointments.py": 1})


def models_with_history() -> set[str]:
    """The names a chain reaches a model with history by: the class (`Patient.objects…`) and
    each accessor of its relations (`self.attendances…`, `patient.mandates…`)."""
    names = set()
    for model in apps.get_models():
        if getattr(model._meta, "simple_history_manager_attribute", None):
            names.add(model.__name__)
            for field in model._meta.get_fields():
                if field.many_to_one and field.remote_field and not field.auto_created:
                    names.add(field.remote_field.get_accessor_name())
    return names


def history_updates(source: str, names: set[str]) -> int:
    """Calls `….update(…)` on a chain that goes through a name in `names` (a model with
    history, or a relation's accessor leading to one)."""
    found = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "update":
            part, through = node.func.value, set()
            while isinstance(part, ast.Call | ast.Attribute):
                if isinstance(part, ast.Attribute):
                    through.add(part.attr)
                part = part.func if isinstance(part, ast.Call) else part.value
            if isinstance(part, ast.Name):
                through.add(part.id)
            if through & names:
                found += 1
    return found


def test_no_update_bypasses_a_models_history():
    names = models_with_history()
    assert {"Patient", "Mandate", "attendances", "mandates"} <= names  # what the rule reads
    found = Counter()
    for path, source in sources():
        if count := history_updates(source, names):
            found[path] = count
    assert found == UPDATE_ALLOWED


def test_the_history_rule_fails_on_a_bad_line():
    bad = "Patient.objects.filter(pk=1).update(stage='closed')\n"
    assert history_updates(bad, {"Patient"}) == 1
    assert history_updates("self.attendances.filter().update(x=1)\n", {"attendances"}) == 1
    assert history_updates("patient.save()\n", {"Patient"}) == 0
    assert history_updates("Token.objects.update(x=1)\n", {"Patient"}) == 0


# --- Rule 2: PermissionDenied is raised by rules and mixins only -----------------------------

# The mixins that apply the rules: the pages' role check (common.views.RoleRequired) and the
# patient doors of the pages and of the API, which refuse a change through an emergency access
# (read only; the API's says so in its 403). Anything else that refuses, a service, an API view,
# a function view, calls common.permissions.require or require_that with the app's rule.
MIXINS = {"common/views.py", "casework/views/base.py", "casework/api/base.py"}


def permission_raises(source: str) -> int:
    found = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if getattr(raised, "id", getattr(raised, "attr", None)) == "PermissionDenied":
                found += 1
    return found


def rule_or_mixin(path: str) -> bool:
    return path.endswith("permissions.py") or path in MIXINS


def test_permission_denied_is_raised_by_rules_and_mixins():
    found = {
        path: count
        for path, source in sources()
        if not rule_or_mixin(path) and (count := permission_raises(source))
    }
    assert found == {}, (
        "raise PermissionDenied in a rule (permissions.py) or a mixin only: elsewhere, "
        "common.permissions.require(<app>.permissions.<verb>_refusal(...)) or "
        "require_that(<app>.permissions.can_<verb>(...)), or RoleRequired(rule) on a page"
    )


def test_the_permission_rule_fails_on_a_bad_line():
    bad = "def view(request):\n    raise PermissionDenied\n"
    assert permission_raises(bad) == 1
    assert permission_raises("raise exceptions.PermissionDenied('no')\n") == 1
    assert permission_raises("raise ValueError\n") == 0
    assert rule_or_mixin("common/permissions.py") and rule_or_mixin("notes/permissions.py")
    assert not rule_or_mixin("casework/views/patients.py")
    assert not rule_or_mixin("reports/services.py")


# --- Rule 3: public services take a keyword-only actor ---------------------------------------

# Functions of a services module without an actor: run by the clinic itself (tasks, the
# renderer, reminders), never on a person's behalf; or checks and lookups a service and its form
# share (they change nothing). Anything else takes `*, actor`.
ACTORLESS_ALLOWED = {
    "assessments/services.py": {"due_reminders_send"},
    "audit/services.py": {"label_for", "note_denied", "seal_after_response"},
    "casework/services/appointments.py": {"check_booking_time", "scheduling_conflicts"},
    "casework/services/attendance.py": {"outcome_reminders_send"},
    "casework/services/compliance.py": {"compliance_evaluate", "recently_recorded_patients"},
    "casework/services/emergency.py": {"names_a_situation"},
    "casework/services/groups.py": {"non_association_warnings"},
    "casework/services/patients.py": {"possible_duplicates"},
    "casework/services/reminders.py": {"due_reminders", "reminder_text", "reminders_send"},
    # Marks a change other services made (theirs has the actor), and the worker's counting.
    "casework/services/session_counts.py": {
        "outcome_meaning_changed",
        "session_counts_recount_all",
        "session_counts_update",
        "sessions_changed",
    },
    # The documents' storage, the name a file is given back under, and the bytes' removal once
    # their file is destroyed (by the clinic, at the end of its retention).
    "documents/services.py": {"clean_filename", "storage", "stored_remove"},
    "helpline/services.py": {"erase_old_summaries", "find_code", "format_code", "shift_of"},
    "privacy/services.py": {"access_copies_render_pending", "access_copy_render"},
    "reports/services.py": {
        "cosigners_tell",
        "default_recipients",
        "dispatch_delivered",
        "due_on",
        "letter_render",
        "letters_render_pending",
        "may_email",
    },
}


def actorless_services(source: str) -> set[str]:
    missing = set()
    for node in ast.parse(source).body:
        public = isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
        if public and "actor" not in {arg.arg for arg in node.args.kwonlyargs}:
            missing.add(node.name)
    return missing


def service_modules():
    for path, source in sources():
        if path.endswith("/services.py") or "/services/" in path:
            yield path, source


def test_every_public_service_takes_a_keyword_only_actor():
    found = {}
    for path, source in service_modules():
        if missing := actorless_services(source):
            found[path] = missing
    assert found == ACTORLESS_ALLOWED


def test_the_actor_rule_fails_on_a_bad_line():
    assert actorless_services("def letter_sign(letter, actor):\n    pass\n") == {"letter_sign"}
    assert actorless_services("def letter_sign(*, actor, letter):\n    pass\n") == set()
    assert actorless_services("def _helper(letter):\n    pass\n") == set()


@pytest.mark.parametrize("rule", [UPDATE_ALLOWED, MIXINS, ACTORLESS_ALLOWED])
def test_the_allow_lists_name_files_that_exist(rule):
    assert all((ROOT / path).exists() for path in rule)


# --- Rule 4: every action says what it did ---------------------------------------------------


def _actions():
    """Every form and confirmation a URL serves (common.views), once each."""
    from django.urls import get_resolver

    from common.views import ConfirmView, ServiceFormView

    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "view_class", None)
            if view and issubclass(view, (ServiceFormView, ConfirmView)):
                found.add(view)

    walk(get_resolver().url_patterns)
    return found


def says_what_it_did(view) -> bool:
    """A success message set on the class, or written by its own code (messages.success or
    .info, or a success_message chosen as it performs)."""
    import inspect

    if getattr(view, "success_message", ""):
        return True
    code = ""
    for kind in view.__mro__:
        if kind.__module__.split(".")[0] in APPS and kind.__module__ != "common.views":
            try:
                code += inspect.getsource(kind)
            except OSError:  # a class made at run time (common.views.RoleRequired)
                continue
    return any(m in code for m in ("messages.success(", "messages.info(", "self.success_message ="))


def test_every_action_says_what_it_did():
    """After a form or a confirmation, the page says what was done ("Letter signed",
    "Outcome recorded"), never nothing, nor a bare "Done"."""
    actions = _actions()

    assert len(actions) > 25  # the walk found the project's forms
    assert sorted(view.__qualname__ for view in actions if not says_what_it_did(view)) == []
