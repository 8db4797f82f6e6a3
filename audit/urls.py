from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [path("access-log/", views.AccessEventListView.as_view(), name="event_list")]
