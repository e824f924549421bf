"""DRF's authtoken table kept every API token in clear. The tokens are knox's now (stored as
digests, config/api/auth.py), so the old table and every token in it go. Nothing reads it:
rest_framework.authtoken is no longer installed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_execution_delay_reason")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
