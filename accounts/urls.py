from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("sessions/end/", views.log_out_everywhere, name="log_out_everywhere"),
    path("sessions/keep/", views.keep_session, name="keep_session"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/all/", views.all_tokens, name="all_tokens"),
    path("tokens/<str:key>/revoke/", views.revoke_token, name="revoke_token"),
]
