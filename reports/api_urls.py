from django.urls import path

from reports import api

# Patient-scoped, like every endpoint that shows a patient's data.
urlpatterns = [
    path("patients/<id:patient_id>/letters/", api.LetterListAPI.as_view(), name="letter_list"),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/",
        api.LetterDetailAPI.as_view(),
        name="letter_detail",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/pdf/",
        api.LetterPdfAPI.as_view(),
        name="letter_pdf",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/dispatches/",
        api.LetterDispatchAPI.as_view(),
        name="letter_dispatch",
    ),
    path(
        "patients/<id:patient_id>/letters/<id:letter_id>/withdraw/",
        api.LetterWithdrawAPI.as_view(),
        name="letter_withdraw",
    ),
    *[
        path(
            f"patients/<id:patient_id>/letters/<id:letter_id>/{step}/",
            api.LetterStepAPI.as_view(step=step),
            name=f"letter_{step}",
        )
        for step in ("ready", "sign", "cosign", "correct")
    ],
]
