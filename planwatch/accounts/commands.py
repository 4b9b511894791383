"""``planwatch user``: accounts and roles from the command line (the admin does the same on the web)."""
from __future__ import annotations

import os

import click

from planwatch.accounts.models import Role


def _actor():
    from planwatch.cli import cli_actor

    return cli_actor()


def _password() -> str:
    """PLANWATCH_PASSWORD from the environment (for scripts), else a hidden prompt typed twice."""
    password = os.environ.get("PLANWATCH_PASSWORD")
    if password:
        return password
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@click.group("user")
def user_group():
    """Accounts and their roles: add, list, change role, unlock after too many failed logins."""


def _scope(role: str, department: str | None, org_unit: str | None):
    from planwatch.plans.models import Department, OrgUnit

    dept = unit = None
    if department:
        dept = Department.objects.filter(code=department).first() or Department.objects.filter(name=department).first()
        if dept is None:
            raise click.BadParameter(f"没有代码或名称为 {department} 的责任部门", param_hint="--department")
    if org_unit:
        unit = OrgUnit.objects.filter(code=org_unit).first() or OrgUnit.objects.filter(name=org_unit).first()
        if unit is None:
            raise click.BadParameter(f"没有代码或名称为 {org_unit} 的单位", param_hint="--org-unit")
    if role == Role.DEPARTMENT and dept is None:
        raise click.UsageError("责任部门填报人(--role department)需要 --department")
    if role == Role.SUBDISTRICT and unit is None:
        raise click.UsageError("街道填报人(--role subdistrict)需要 --org-unit")
    if role in (Role.ADMIN, Role.SUBDISTRICT) and dept is not None:
        raise click.UsageError(f"角色 {role} 不使用 --department")
    if role == Role.DEPARTMENT and unit is not None:
        raise click.UsageError("责任部门填报人不使用 --org-unit(范围由部门负责的指标决定)")
    return dept, unit


def _apply_role(user, role, dept, unit):
    from planwatch.accounts.models import Membership

    user.is_staff = user.is_superuser = role == Role.ADMIN  # only administrators use the admin site
    user.save(update_fields=["is_staff", "is_superuser"])
    membership, _ = Membership.objects.update_or_create(user=user, defaults={"role": role, "department": dept, "org_unit": unit})
    membership.full_clean()
    return membership


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="admin, planner, department, subdistrict or viewer.")
@click.option("--department", help="Department code or name (department reporters).")
@click.option("--org-unit", "org_unit", help="Org unit code or name (街道 reporters; narrows planners and viewers).")
@click.option("--email", default="")
def add_command(name, role, department, org_unit, email):
    """Create account NAME with a role. The password comes from $PLANWATCH_PASSWORD or a prompt."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from planwatch.cli import migrate
    from planwatch.data.actions import audit

    migrate()  # the first account is often the first thing set up on a new installation
    User = get_user_model()
    if User.objects.filter(username=name).exists():
        raise click.ClickException(f"用户 {name} 已存在(改角色用 planwatch user set-role)")
    dept, unit = _scope(role, department, org_unit)
    password = _password()
    try:
        validate_password(password, User(username=name, email=email))
    except ValidationError as exc:
        raise click.ClickException("密码不符合要求:" + ";".join(exc.messages)) from exc
    with transaction.atomic():
        user = User.objects.create_user(name, email=email, password=password)
        membership = _apply_role(user, role, dept, unit)
        audit("user.create", membership, actor=_actor(),
              new={"user": name, "role": role, "department": str(dept or ""), "org_unit": str(unit or "")})
    click.echo(f"已创建用户:{membership}")


@user_group.command("set-role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department")
@click.option("--org-unit", "org_unit")
def set_role_command(name, role, department, org_unit):
    """Change the role (and department / org unit) of account NAME."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from planwatch.accounts.models import Membership
    from planwatch.data.actions import audit

    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise click.ClickException(f"没有用户 {name}")
    dept, unit = _scope(role, department, org_unit)
    old = Membership.objects.filter(user=user).first()
    old_state = {"role": old.role, "department": str(old.department or ""), "org_unit": str(old.org_unit or "")} if old else None
    with transaction.atomic():
        membership = _apply_role(user, role, dept, unit)
        audit("user.role", membership, actor=_actor(), old=old_state,
              new={"role": role, "department": str(dept or ""), "org_unit": str(unit or "")})
    click.echo(f"已更新:{membership}")


@user_group.command("list")
def list_command():
    """All accounts with their role and scope."""
    from django.contrib.auth import get_user_model

    from planwatch.accounts.permissions import membership_of, role_of

    for user in get_user_model().objects.order_by("username"):
        m = membership_of(user)
        role = role_of(user) or "(无角色)"
        scope = (m.department or m.org_unit or "") if m else ""
        state = "" if user.is_active else "  [已停用]"
        click.echo(f"{user.username}\t{role}\t{scope}{state}")


@user_group.command("unlock")
@click.argument("name")
def unlock_command(name):
    """Lift the lockout of NAME after too many failed logins."""
    from axes.utils import reset

    count = reset(username=name)
    click.echo(f"已解除 {name} 的登录锁定({count} 条失败记录)")


COMMANDS = [user_group]
