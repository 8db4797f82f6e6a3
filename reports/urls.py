from django.urls import path

from reports import views

app_name = "reports"

# The clinic's letters (filtered by the patients each user may see), then patient-scoped URLs,
# like every URL that shows a patient's data (the URL walk checks them).
urlpatterns = [
    path("letters/", views.LettersDashboardView.as_view(), name="dashboard"),
    path("letters/batches/new/", views.BatchQueueView.as_view(), name="batch_create"),
    path("letters/batches/<id:batch_id>/", views.BatchView.as_view(), name="batch"),
    path("patients/<id:patient_id>/letters/", views.LetterListView.as_view(), name="list"),
    path("patients/<id:patient_id>/letters/new/", views.LetterCreateView.as_view(), name="create"),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/",
        views.LetterDetailView.as_view(),
        name="detail",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/edit/",
        views.LetterUpdateView.as_view(),
        name="update",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/preview/",
        views.LetterPreviewView.as_view(),
        name="preview",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/pdf/",
        views.LetterDownloadView.as_view(),
        name="pdf",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/dispatch/",
        views.LetterDispatchView.as_view(),
        name="dispatch",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/withdraw/",
        views.LetterWithdrawView.as_view(),
        name="withdraw",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/ready/",
        views.LetterStepView.as_view(step="ready"),
        name="ready",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/sign/",
        views.LetterStepView.as_view(step="sign"),
        name="sign",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/cosign/",
        views.LetterStepView.as_view(step="cosign"),
        name="cosign",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/correct/",
        views.LetterStepView.as_view(step="correct"),
        name="correct",
    ),
]
