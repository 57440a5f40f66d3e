from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from labs.models import Cohort, Plan
from labs.plans import StageSlice


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name"]


class JoinForm(forms.Form):
    code = forms.CharField(max_length=16, label=_("Join code"))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class AssignPlanForm(forms.Form):
    """A plan and, for each stage it covers, an optional due date (fields `due_<stage slug>`)."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(), to_field_name="slug", label=_("Plan")
    )

    def __init__(
        self,
        *args: Any,
        stages: list[StageSlice],
        kept: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`kept`: the due dates already stored (stage slug -> ISO date); those may stay
        even once they are past, new dates may not be."""
        super().__init__(*args, **kwargs)
        self.stages = stages
        self.kept = kept or {}
        for stage_slice in stages:
            self.fields[f"due_{stage_slice.stage.slug}"] = forms.DateField(
                required=False,
                label=stage_slice.stage.title_text(),
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            if stage_slice.stage.slug not in self.kept:
                field = self.fields[f"due_{stage_slice.stage.slug}"]
                field.widget.attrs["min"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        for stage_slice in self.stages:
            slug = stage_slice.stage.slug
            value = cleaned.get(f"due_{slug}")
            if value and value < today and self.kept.get(slug) != value.isoformat():
                self.add_error(f"due_{slug}", _("Pick today or a later date."))
        return cleaned

    def due_dates(self) -> dict[str, str]:
        dates = {}
        for stage_slice in self.stages:
            value = self.cleaned_data.get(f"due_{stage_slice.stage.slug}")
            if value:
                dates[stage_slice.stage.slug] = value.isoformat()
        return dates
