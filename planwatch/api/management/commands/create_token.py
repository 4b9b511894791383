"""``planwatch manage create_token USER``: issue an API token and print it once."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from planwatch.api.models import Token


class Command(BaseCommand):
    help = "Create an API token for USER and print it (it is not stored and cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for (shown in the admin)")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"没有用户 {username!r};先用 planwatch manage createsuperuser 或管理页面创建")
        if not user.is_active:
            raise CommandError(f"用户 {username!r} 已停用")
        _, raw = Token.objects.issue(user, name=name)
        self.stdout.write(raw)
