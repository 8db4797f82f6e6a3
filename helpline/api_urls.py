from django.urls import path

from helpline import api

# Under /api/v1/helpline/: helpline.middleware strips the address from these.
urlpatterns = [
    path("helpline/contacts/", api.ContactListAPI.as_view(), name="helpline_contact_list"),
    path(
        "helpline/contacts/<id:contact_id>/",
        api.ContactDetailAPI.as_view(),
        name="helpline_contact_detail",
    ),
    path("helpline/statistics/", api.StatisticsAPI.as_view(), name="helpline_statistics"),
]
