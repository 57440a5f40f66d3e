from django.db import migrations, models

import labs.models.learning


class Migration(migrations.Migration):

    dependencies = [
        ("labs", "0010_playground"),
    ]

    operations = [
        # runs graded before the differential phase keep no seed (null) ...
        migrations.AddField(
            model_name="run",
            name="seed",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        # ... new ones draw their own
        migrations.AlterField(
            model_name="run",
            name="seed",
            field=models.BigIntegerField(
                blank=True, default=labs.models.learning.new_run_seed, null=True
            ),
        ),
    ]
