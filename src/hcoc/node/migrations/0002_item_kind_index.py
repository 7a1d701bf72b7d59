# The node's declarations page reads the items of one kind: an index, not a scan of the copy.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("node", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="kind",
            field=models.CharField(db_index=True, max_length=64),
        ),
    ]
