from django.urls import path

from notes import api

urlpatterns = [
    path("patients/<id:patient_id>/notes/", api.NoteListAPI.as_view(), name="note_list"),
    path(
        "patients/<id:patient_id>/notes/<id:note_id>/",
        api.NoteDetailAPI.as_view(),
        name="note_detail",
    ),
    path(
        "patients/<id:patient_id>/notes/<id:note_id>/sign/",
        api.NoteSignAPI.as_view(),
        name="note_sign",
    ),
]
