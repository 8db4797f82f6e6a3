from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path(
        "patients/<id:patient_id>/access-copies/",
        views.AccessCopyListView.as_view(),
        name="access_copies",
    ),
    path(
        "patients/<id:patient_id>/access-copies/<id:copy_id>/copy.pdf",
        views.AccessCopyFileView.as_view(),
        {"kind": "pdf"},
        name="access_copy_pdf",
    ),
    path(
        "patients/<id:patient_id>/access-copies/<id:copy_id>/copy.json",
        views.AccessCopyFileView.as_view(),
        {"kind": "json"},
        name="access_copy_json",
    ),
    path("retention/", views.RetentionView.as_view(), name="retention"),
    path(
        "retention/<id:patient_id>/review/",
        views.RetentionReviewView.as_view(),
        name="retention_review",
    ),
    path(
        "retention/<id:patient_id>/destroy/",
        views.RetentionDestroyView.as_view(),
        name="retention_destroy",
    ),
]
