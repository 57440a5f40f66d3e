from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labs.models import Stage


def home(request: HttpRequest) -> HttpResponse:
    stages = Stage.objects.prefetch_related("labs")
    return render(request, "pages/home.html", {"stages": stages})
