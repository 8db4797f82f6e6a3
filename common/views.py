"""What any app's pages may stand on: a form whose data goes to one service, a question with a
button, a page refused on this object, a service's errors shown on a form. The doors (the
patient's, the helpline's) and the role checks stay in each app.

The pages' templates are templates/includes/form.html and templates/includes/confirm.html."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from common.errors import OverridableWarning


def RoleRequired(rule, *, hidden: bool = False) -> type:
    """The mixin of a page for the users a role rule admits: `rule(user) -> bool`, from the
    app's permissions.py. Anyone else gets 403, or with `hidden` 404 (a page whose existence
    is not to be told: the helpline's). Object rules (`<verb>_refusal`) are the services'."""

    class RoleRequiredMixin:
        def dispatch(self, request, *args, **kwargs):
            if not rule(request.user):
                raise Http404 if hidden else PermissionDenied
            return super().dispatch(request, *args, **kwargs)

    RoleRequiredMixin.__qualname__ = f"RoleRequired({rule.__name__})"
    return RoleRequiredMixin


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RefusalMixin:
    """A page that cannot be used on this object (a signed note, someone else's draft) is not
    offered at all: `refusal()` names why, and GET and POST go back with that message."""

    def refusal(self) -> str:
        """Why this page may not be used here; empty when it may."""
        return ""

    def get(self, request, *args, **kwargs):
        return self._refuse() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refuse() or super().post(request, *args, **kwargs)

    def _refuse(self):
        reason = self.refusal()
        if not reason:
            return None
        messages.error(self.request, reason)
        return redirect(self.get_cancel_url())


class ConfirmView(RefusalMixin, TemplateView):
    """A question with a button that says what it does; `confirm()` does it on POST."""

    template_name = "includes/confirm.html"

    def confirm(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        return self._refuse() or self.confirm()


class ServiceFormView(RefusalMixin, FormView):
    """A form whose valid data goes to one service; the service's errors land on the form.
    Its buttons say what they do (`submit_label`, `back_label`)."""

    template_name = "includes/form.html"
    success_message = ""
    title = ""
    submit_label = gettext_lazy("Save")
    submit_class = ""  # "danger" for a button that destroys something
    back_label = gettext_lazy("Cancel")
    cancel_url = None  # where Cancel (and a refusal) goes, unless get_cancel_url() says

    def perform(self, data: dict):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.result = self.perform(form.cleaned_data)
        except OverridableWarning as warning:
            # shown above the form, whose "allow_..." checkbox says "go ahead anyway"
            return self.render_to_response(
                self.get_context_data(form=form, warnings=warning.warnings)
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_cancel_url(self) -> str:
        if self.cancel_url is None:
            raise NotImplementedError("Say where Cancel goes: cancel_url or get_cancel_url().")
        return str(self.cancel_url)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.get_title(),
            cancel_url=self.get_cancel_url(),
            submit_label=self.submit_label,
            submit_class=self.submit_class,
            back_label=self.back_label,
            **kwargs,
        )

    def get_title(self) -> str:
        return self.title
