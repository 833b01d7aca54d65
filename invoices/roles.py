"""The staff roles, kept in step with the code after every migrate.

Read-only staff see everything but cannot ask the providers for fresh data on
demand; refreshers can. Collectors edit the follow-up list (owners, next
actions, notes, promises, disputes). Provider credentials are for superusers only.
"""

from django.contrib.auth.models import Group, Permission

READ_ONLY = "Read-only staff"
REFRESHERS = "Refreshers"
COLLECTORS = "Collectors"

VIEW = ["view_customer", "view_invoice"]
ROLES = {
    READ_ONLY: VIEW,
    REFRESHERS: [*VIEW, "refresh_from_provider"],
    COLLECTORS: [*VIEW, "edit_followup"],
}


def create_roles(**kwargs):
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="invoices", codename__in=codenames))
