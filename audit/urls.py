from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("access-log/", views.AccessEventListView.as_view(), name="event_list"),
    path("access-log/export.csv", views.AccessEventExportView.as_view(), name="event_export"),
    path(
        "integrity-alerts/<id:alert_id>/resolve/",
        views.resolve_integrity_alert,
        name="resolve_integrity_alert",
    ),
]
