from django.urls import path

from notes import views

app_name = "notes"

# Patient-scoped, like every URL that shows a patient's data (the URL walk checks them).
urlpatterns = [
    path("patients/<id:patient_id>/notes/", views.NoteListView.as_view(), name="list"),
    path(
        "patients/<id:patient_id>/notes/new/",
        views.NoteCreateView.as_view(),
        name="create",
    ),
    path(
        "patients/<id:patient_id>/notes/<id:note_id>/edit/",
        views.NoteUpdateView.as_view(),
        name="update",
    ),
    path(
        "patients/<id:patient_id>/notes/<id:note_id>/sign/",
        views.NoteSignView.as_view(),
        name="sign",
    ),
    path(
        "patients/<id:patient_id>/notes/<id:note_id>/addendum/",
        views.NoteAddendumView.as_view(),
        name="addendum",
    ),
    path("patients/<id:patient_id>/plan/", views.PlanView.as_view(), name="plan"),
    path("patients/<id:patient_id>/plan/write/", views.PlanWriteView.as_view(), name="plan_write"),
    path("patients/<id:patient_id>/plan/close/", views.PlanCloseView.as_view(), name="plan_close"),
    path(
        "patients/<id:patient_id>/plan/<int:version>/",
        views.PlanVersionView.as_view(),
        name="plan_version",
    ),
]
