from django.urls import path

from assessments import views

app_name = "assessments"

# Under patients/<patient_id>/ like every patient URL (tests/casework/test_patient_urls.py).
urlpatterns = [
    path("patients/<id:patient_id>/assessments/", views.AssessmentListView.as_view(), name="list"),
    path(
        "patients/<id:patient_id>/assessments/new/<slug:instrument>/",
        views.AssessmentCreateView.as_view(),
        name="create",
    ),
    path(
        "patients/<id:patient_id>/assessments/total/<slug:instrument>/",
        views.RunningTotalView.as_view(),
        name="running_total",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/",
        views.AssessmentDetailView.as_view(),
        name="detail",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/edit/",
        views.AssessmentUpdateView.as_view(),
        name="update",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/sign/",
        views.AssessmentSignView.as_view(),
        name="sign",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/discard/",
        views.AssessmentDiscardView.as_view(),
        name="discard",
    ),
    path(
        "patients/<id:patient_id>/assessments/<id:assessment_id>/amend/",
        views.AssessmentAmendView.as_view(),
        name="amend",
    ),
]
