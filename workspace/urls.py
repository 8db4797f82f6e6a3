from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("patients/<id:patient_id>/", views.PatientDetailView.as_view(), name="patient"),
    path("agenda/todo/", views.TodoView.as_view(), name="todo"),
    path("caseloads/", views.CaseloadsView.as_view(), name="caseloads"),
    path("access-register/", views.AccessRegisterView.as_view(), name="access_register"),
    path("operations/", views.OperationsView.as_view(), name="operations"),
    path("messages/unsent/", views.UnsentMessagesView.as_view(), name="unsent_messages"),
]
