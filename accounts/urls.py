from django.urls import path

from accounts import views, views_staff

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("sessions/end/", views.log_out_everywhere, name="log_out_everywhere"),
    path("sessions/keep/", views.keep_session, name="keep_session"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/all/", views.all_tokens, name="all_tokens"),
    path("tokens/<str:key>/revoke/", views.revoke_token, name="revoke_token"),
    # The clinical lead's staff accounts page (accounts.views_staff).
    path("staff/", views_staff.staff_list, name="staff_list"),
    path("staff/new/", views_staff.staff_create, name="staff_create"),
    path("staff/<id:user_id>/role/", views_staff.staff_role, name="staff_role"),
    path("staff/<id:user_id>/deactivate/", views_staff.staff_deactivate, name="staff_deactivate"),
    path("staff/<id:user_id>/reactivate/", views_staff.staff_reactivate, name="staff_reactivate"),
    path("staff/<id:user_id>/unlock/", views_staff.staff_unlock, name="staff_unlock"),
    path(
        "staff/<id:user_id>/two-factor/reset/",
        views_staff.staff_two_factor_reset,
        name="staff_two_factor_reset",
    ),
]
