"""Default scenario checklists: seed 002's three stages and their measures (response/data/checklists.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from yingji.response.services.checklists import load_defaults

    load_defaults(apps.get_model("response", "Checklist"), apps.get_model("response", "ChecklistItem"))


def unload(apps, schema_editor):
    Checklist = apps.get_model("response", "Checklist")
    Checklist.objects.filter(code__in=["covid19-stage1", "covid19-stage2", "covid19-stage3"],
                             activations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("response", "0005_checklists_tasks")]

    operations = [migrations.RunPython(load, unload)]
