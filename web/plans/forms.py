from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StartPlanForm(forms.Form):
    target_date = forms.DateField(
        required=False,
        label=_("Target date (optional)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_target_date(self) -> date | None:
        target = self.cleaned_data.get("target_date")
        if target is not None and target <= timezone.localdate():
            raise forms.ValidationError(_("Pick a date after today."))
        return target
