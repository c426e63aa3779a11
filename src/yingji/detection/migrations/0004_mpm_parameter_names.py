"""The default MPM configurations of 0002 named two parameters as a draft did (periods_around, inclusive); rename them
to those of algorithms/cidars_mpm.py (k, operator)."""

from django.db import migrations


def fix(apps, schema_editor):
    from yingji.detection.services.defaults import fix_mpm_parameter_names

    fix_mpm_parameter_names(apps.get_model("detection", "DetectionConfig"))


class Migration(migrations.Migration):
    dependencies = [("detection", "0003_signal_raised_at")]

    operations = [migrations.RunPython(fix, migrations.RunPython.noop)]
