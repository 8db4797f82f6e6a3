from django.urls import path

from clinic_statistics import views

app_name = "clinic_statistics"

urlpatterns = [
    path("statistics/follow-up/", views.FollowUpStatisticsView.as_view(), name="follow_up"),
    path("statistics/follow-up/export.csv", views.FollowUpCSVView.as_view(), name="follow_up_csv"),
    path("statistics/indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path(
        "statistics/indicators/export.csv", views.IndicatorsCSVView.as_view(), name="indicators_csv"
    ),
    path(
        "statistics/indicators/report/",
        views.ActivityReportRequestView.as_view(),
        name="activity_report_request",
    ),
    path(
        "statistics/indicators/report/<int:pk>.pdf",
        views.ActivityReportPDFView.as_view(),
        name="activity_report_pdf",
    ),
]
