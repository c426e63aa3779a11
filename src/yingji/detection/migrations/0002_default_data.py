"""Default data: Chinese public holidays and make-up workdays 2023–2027, and the default detection configurations."""

from django.db import migrations


def load(apps, schema_editor):
    from yingji.detection.services.defaults import load_default_configs, load_holidays

    load_holidays(apps.get_model("detection", "Holiday"))
    load_default_configs(apps.get_model("detection", "DetectionConfig"), apps.get_model("surveillance", "Disease"))


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0001_initial"),
        ("surveillance", "0002_default_catalogue"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
