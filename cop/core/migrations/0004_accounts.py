from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('core', '0003_privacy'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='confirmed_email',
            field=models.EmailField(blank=True, default='', max_length=254, verbose_name='confirmed e-mail address'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(('confirmed_email', ''), _negated=True), fields=('confirmed_email',), name='core_user_unique_confirmed_email'),
        ),
    ]
