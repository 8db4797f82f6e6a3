from django.urls import path

from clinic_statistics import api

urlpatterns = [
    path(
        "statistics/follow-up/",
        api.FollowUpStatisticsAPI.as_view(),
        name="follow_up_statistics",
    ),
    path("statistics/indicators/", api.IndicatorsAPI.as_view(), name="indicators_statistics"),
]
