"""Accounts: sign up, log in (Django's views with our templates), the password reset by email,
and the interface language kept on the account. Whatever a visitor did before signing in (the
language they picked, drafts they typed) comes along into the account."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language as django_set_language

from labs.models import Profile
from web.pages.forms import SignupForm
from web.pages.workspace import adopt_session_drafts

logger = logging.getLogger(__name__)


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return after_login(request, redirect(_next_url(request)))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


class LoginView(auth_views.LoginView):
    def form_valid(self, form: Any) -> HttpResponse:
        return after_login(self.request, super().form_valid(form))


def after_login(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A fresh login: drafts typed before it become the account's, and the account's language
    (or, on a first login, the one picked before it) becomes the page's."""
    adopt_session_drafts(request, request.user)
    profile, _created = Profile.objects.get_or_create(user=request.user)
    if not profile.language:
        profile.language = request.LANGUAGE_CODE
        profile.save(update_fields=["language"])
    _set_language_cookie(response, profile.language)
    translation.activate(profile.language)
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also saves the choice on a signed-in account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


class ResetForm(PasswordResetForm):
    """Django's reset form, but a mail that could not be sent is reported to the reader
    (Django logs the error and shows "we've emailed you" all the same)."""

    send_failed = False

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        try:
            message.send()
        except Exception:  # noqa: BLE001 - any transport error means the same to the reader
            logger.exception(
                "could not send the password reset email to user %s", context["user"].pk
            )
            self.send_failed = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **mail_context()}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.MAIL_CONFIGURED:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.send_failed:
            form.add_error(None, _("The email could not be sent just now. Try again later."))
            return self.form_invalid(form)
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **mail_context()}


def mail_context() -> dict[str, Any]:
    """Whether the site can send mail at all, and whether it only prints it (development)."""
    backend = getattr(settings, "EMAIL_BACKEND", "")
    return {
        "mail_configured": settings.MAIL_CONFIGURED,
        "mail_printed": backend.endswith(("console.EmailBackend", "filebased.EmailBackend")),
        "mail_log": str(settings.VAR_DIR / "log" / "web.log"),
    }
