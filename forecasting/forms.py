from __future__ import annotations

from django import forms

from .models import ReorderRecommendation


class ImportForm(forms.Form):
    KINDS = (("items", "Supply items and stock"), ("usage", "Daily usage"))

    kind = forms.ChoiceField(choices=KINDS)
    file = forms.FileField(help_text="CSV, UTF-8, with the header named on this page.")


class DecisionForm(forms.Form):
    ACTIONS = (("approve", "Approve"), ("edit", "Approve edited quantity"), ("reject", "Reject"))

    action = forms.ChoiceField(choices=ACTIONS)
    quantity = forms.IntegerField(required=False, min_value=1)
    note = forms.CharField(required=False, max_length=300)


class ReorderFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ReorderRecommendation.Status.choices]
    )
    location = forms.CharField(required=False)
    q = forms.CharField(required=False, label="Item")
