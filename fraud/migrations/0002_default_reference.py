"""Default reference data for common codes and the default detector weights and threshold."""

from django.db import migrations

from fraud.engine.reference import DEFAULT_MUE, DEFAULT_PROCEDURES, DEFAULT_PTP
from fraud.engine.scoring import DEFAULT_THRESHOLD, DEFAULT_WEIGHTS


def load_defaults(apps, schema_editor):
    ProcedureCode = apps.get_model("fraud", "ProcedureCode")
    PtpEdit = apps.get_model("fraud", "PtpEdit")
    MueLimit = apps.get_model("fraud", "MueLimit")
    DetectorSetting = apps.get_model("fraud", "DetectorSetting")
    ScoringSettings = apps.get_model("fraud", "ScoringSettings")
    for code, minutes, description in DEFAULT_PROCEDURES:
        ProcedureCode.objects.get_or_create(
            code=code, defaults={"minutes": minutes, "description": description}
        )
    for column1, column2, allowed in DEFAULT_PTP:
        PtpEdit.objects.get_or_create(
            column1=column1, column2=column2, defaults={"modifier_allowed": allowed}
        )
    for code, max_units in DEFAULT_MUE:
        MueLimit.objects.get_or_create(code=code, defaults={"max_units": max_units})
    for detector, weight in DEFAULT_WEIGHTS.items():
        DetectorSetting.objects.get_or_create(detector=detector, defaults={"weight": weight})
    ScoringSettings.objects.get_or_create(pk=1, defaults={"threshold": DEFAULT_THRESHOLD})


class Migration(migrations.Migration):
    dependencies = [("fraud", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
