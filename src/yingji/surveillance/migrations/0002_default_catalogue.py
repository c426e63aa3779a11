from django.db import migrations


def load(apps, schema_editor):
    from yingji.surveillance.catalogue import load_cluster_rules, load_diseases

    Disease = apps.get_model("surveillance", "Disease")
    load_diseases(Disease)
    load_cluster_rules(apps.get_model("surveillance", "ClusterRule"), Disease)


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
