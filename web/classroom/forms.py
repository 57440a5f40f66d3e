from __future__ import annotations

from typing import Any

from django import forms

from labs.models import Cohort, Plan
from labs.plans import StageSlice


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name"]


class JoinForm(forms.Form):
    code = forms.CharField(max_length=16)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class AssignPlanForm(forms.Form):
    """A plan and, for each stage it covers, an optional due date (fields `due_<stage slug>`)."""

    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), to_field_name="slug")

    def __init__(self, *args: Any, stages: list[StageSlice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stages = stages
        for stage_slice in stages:
            self.fields[f"due_{stage_slice.stage.slug}"] = forms.DateField(
                required=False,
                label=stage_slice.stage.title_text(),
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def due_dates(self) -> dict[str, str]:
        dates = {}
        for stage_slice in self.stages:
            value = self.cleaned_data.get(f"due_{stage_slice.stage.slug}")
            if value:
                dates[stage_slice.stage.slug] = value.isoformat()
        return dates
