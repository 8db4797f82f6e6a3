"""One API, one namespace ("api"): each zone brings its endpoints."""

from assessments.api_urls import urlpatterns as assessments
from casework.api_urls import urlpatterns as casework
from notes.api_urls import urlpatterns as notes

urlpatterns = [*casework, *notes, *assessments]
