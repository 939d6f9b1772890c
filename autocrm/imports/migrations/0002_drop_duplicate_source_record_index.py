from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
    ]

    operations = [
        # The customer foreign key keeps its own index.
        migrations.RemoveIndex(
            model_name="sourcerecord",
            name="source_record_customer_idx",
        ),
    ]
