from django.urls import path

from helpline import views

app_name = "helpline"

# Every path starts with /helpline/: helpline.middleware strips the address from these.
urlpatterns = [
    path("helpline/", views.LogView.as_view(), name="log"),
    path("helpline/missed/", views.MissedView.as_view(), name="missed"),
    path("helpline/code/", views.NewCodeView.as_view(), name="new_code"),
    path("helpline/contacts/", views.ContactListView.as_view(), name="contacts"),
    path("helpline/contacts/<id:contact_id>/", views.ContactDetailView.as_view(), name="contact"),
    path("helpline/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("helpline/statistics.csv", views.StatisticsCSVView.as_view(), name="statistics_csv"),
]
