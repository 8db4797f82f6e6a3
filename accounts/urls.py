from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/team/", views.two_factor_team, name="two_factor_team"),
    path("two-factor/team/<id:user_id>/reset/", views.two_factor_reset, name="two_factor_reset"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("sessions/end/", views.log_out_everywhere, name="log_out_everywhere"),
    path("sessions/keep/", views.keep_session, name="keep_session"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/all/", views.all_tokens, name="all_tokens"),
    path("tokens/<str:key>/revoke/", views.revoke_token, name="revoke_token"),
]
