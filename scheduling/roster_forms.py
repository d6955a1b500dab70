from __future__ import annotations

import datetime as dt

from django import forms

from hospops.models import Department

from .models import ShiftType, StaffingRatio, StaffMember


class RosterCreateForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all())
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    weeks = forms.IntegerField(min_value=1, max_value=8, initial=4)
    time_limit = forms.IntegerField(
        min_value=5, max_value=600, initial=20, label="Solver time limit (s)"
    )

    @property
    def end_date(self) -> dt.date:
        data = self.cleaned_data
        return data["start_date"] + dt.timedelta(days=7 * data["weeks"] - 1)


class LockForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.all())
    date = forms.DateField()
    # "": keep the cell's current shift; "-": a day off; else a shift code.
    shift = forms.CharField(required=False)
    locked = forms.BooleanField(required=False)

    def shift_code(self) -> str | None:
        value = self.cleaned_data["shift"]
        if value == "-":
            return None
        if value and not ShiftType.objects.filter(code=value).exists():
            raise forms.ValidationError(f"Unknown shift type {value!r}.")
        return value


class LeaveForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.all())
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(required=False, max_length=100)


class StaffingRatioForm(forms.ModelForm):
    class Meta:
        model = StaffingRatio
        fields = [
            "department",
            "shift_type",
            "skill",
            "appointments_per_staff",
            "base_staff",
            "minimum",
            "level",
        ]


class CoverageGenerateForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all())
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            raise forms.ValidationError("The period ends before it starts.")
        return data


class CoverageImportForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all())
    file = forms.FileField(help_text="CSV with header date,shift,skill,required,minimum")
