from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from hospops import roles

from .engine import detectors
from .models import FlagDecision


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a.value, a.label) for a in FlagDecision.Action if a != FlagDecision.Action.ASSIGN]
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Required: why you decided this.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("A note is required.")
        return note


def reviewers():
    return (
        User.objects.filter(
            groups__name__in=[roles.BILLING_REVIEWER, roles.ADMINISTRATOR], is_active=True
        )
        .distinct()
        .order_by("username")
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="(unassigned)"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()
        self.fields["assignee"].label_from_instance = lambda user: user.get_username()


class UploadForm(forms.Form):
    file = forms.FileField(help_text="Claim-line CSV with the exact claims header.")


class SettingsForm(forms.Form):
    threshold = forms.FloatField(
        min_value=0.0, max_value=1.0, help_text="Claims at or above this risk become flags."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in detectors.DETECTORS:
            self.fields[f"weight_{name}"] = forms.FloatField(
                min_value=0.0, max_value=1.0, label=detectors.LABELS[name]
            )
            self.fields[f"enabled_{name}"] = forms.BooleanField(required=False, label="enabled")

    def detector_rows(self):
        return [(self[f"weight_{name}"], self[f"enabled_{name}"]) for name in detectors.DETECTORS]
