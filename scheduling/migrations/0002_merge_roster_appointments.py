from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_appointments"), ("scheduling", "0001_roster")]
    operations = []
