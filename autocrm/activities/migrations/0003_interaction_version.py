from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_interaction_recent_idx"),
    ]

    operations = [
        # With a database default, adding the column rewrites nothing on PostgreSQL 11+, and
        # bulk loads that do not name the column still write valid rows.
        migrations.AddField(
            model_name="interaction",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
    ]
