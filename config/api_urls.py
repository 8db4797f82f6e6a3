"""One API, one namespace ("api"): each zone brings its endpoints."""

from assessments.api_urls import urlpatterns as assessments
from casework.api_urls import urlpatterns as casework
from clinic_statistics.api_urls import urlpatterns as clinic_statistics
from helpline.api_urls import urlpatterns as helpline
from notes.api_urls import urlpatterns as notes
from reports.api_urls import urlpatterns as reports

urlpatterns = [*casework, *notes, *assessments, *reports, *helpline, *clinic_statistics]
