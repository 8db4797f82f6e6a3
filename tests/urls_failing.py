"""A URLconf with a view that fails, to see the 500 page that a real failure would get."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path


@login_not_required
def fail(request):
    raise ZeroDivisionError("a bug")


urlpatterns = [path("fail/", fail)]
