"""The staff roles, kept in step with the code after every migrate.

Read-only staff see everything but cannot ask the providers for fresh data on
demand; refreshers can. Collectors edit the follow-up list (owners, next
actions, notes, promises, disputes). Data protection officers
export what is held about a person. Provider credentials are for superusers only.
"""

from django.contrib.auth.models import Group, Permission

READ_ONLY = "Read-only staff"
REFRESHERS = "Refreshers"
COLLECTORS = "Collectors"
# Answer data subject requests: export everything held about one personal number.
DATA_PROTECTION_OFFICERS = "Data protection officer"

VIEW = ["view_customer", "view_invoice"]
ROLES = {
    READ_ONLY: VIEW,
    REFRESHERS: [*VIEW, "refresh_from_provider"],
    COLLECTORS: [*VIEW, "edit_followup"],
    DATA_PROTECTION_OFFICERS: [*VIEW, "export_data_subject"],
}


def create_roles(**kwargs):
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="invoices", codename__in=codenames))
