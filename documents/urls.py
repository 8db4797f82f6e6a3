from django.urls import path

from documents import views

app_name = "documents"

# Patient-scoped, like every URL that shows a patient's data (the URL walk checks them).
urlpatterns = [
    path("patients/<id:patient_id>/documents/", views.DocumentListView.as_view(), name="list"),
    path(
        "patients/<id:patient_id>/documents/new/",
        views.DocumentUploadView.as_view(),
        name="upload",
    ),
    path(
        "patients/<id:patient_id>/documents/<id:document_id>/file/",
        views.DocumentFileView.as_view(),
        name="file",
    ),
]
