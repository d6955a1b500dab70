from __future__ import annotations

from django import forms
from django.utils import timezone

from hospops.models import Department

from .models_appointments import Appointment, ClinicianSession


class SolveForm(forms.Form):
    time_limit = forms.IntegerField(
        min_value=1, max_value=600, initial=30, help_text="Seconds the solver may search."
    )
    overbooking = forms.BooleanField(
        required=False, help_text="Double-book up to each clinic's learned no-show rate (capped)."
    )


class ClinicDayFilter(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="All clinics"
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MoveForm(forms.Form):
    session = forms.ModelChoiceField(queryset=ClinicianSession.objects.none())
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}))

    def __init__(self, *args, appointment: Appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = ClinicianSession.objects.filter(
            department_id=appointment.department_id, date__gte=timezone.localdate()
        )
        if not self.is_bound:
            self.initial = {"session": appointment.session_id, "start": appointment.start}
