from django.urls import path

from assessments import api

urlpatterns = [
    path("instruments/", api.InstrumentListAPI.as_view(), name="instrument_list"),
    path(
        "patients/<id:patient_id>/assessments/",
        api.AssessmentListAPI.as_view(),
        name="assessment_list",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/",
        api.AssessmentDetailAPI.as_view(),
        name="assessment_detail",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/sign/",
        api.AssessmentSignAPI.as_view(),
        name="assessment_sign",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/amend/",
        api.AssessmentAmendAPI.as_view(),
        name="assessment_amend",
    ),
]
