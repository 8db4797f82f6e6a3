from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import password_reset
from accounts.language import set_language
from accounts.throttling import LoginView
from common.http import IdConverter
from config.health import healthz, readyz
from workspace.views import home

# Before the apps' URL modules are included: they write every database id as <id:...>.
register_converter(IdConverter, "id")
handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"

urlpatterns = [
    path("", home, name="home"),
    # For load balancers and monitoring: no login, one word per part (docs/operations.md).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # "Forgot your password?": open to anyone (accounts/password_reset.py).
    path("password/reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Anyone may pick a language, including on the login page; a logged-in user's is saved.
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("workspace.urls")),
    path("", include("casework.urls")),
    path("", include("notes.urls")),
    path("", include("documents.urls")),
    path("", include("assessments.urls")),
    path("", include("reports.urls")),
    path("", include("privacy.urls")),
    path("", include("helpline.urls")),
    path("", include("clinic_statistics.urls")),
    path("audit/", include("audit.urls")),
    path("account/", include("accounts.urls")),
    path("api/v1/", include(("config.api_urls", "api"))),
    # DRF views opt out of LoginRequiredMiddleware. The schema answers like the API (401 to an
    # anonymous call, a token works); the docs are a page, so they send a visitor to log in.
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]
