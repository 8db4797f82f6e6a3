"""Authentication backends: Django's, with the rights of a role read from the code."""

from django.contrib.auth.backends import ModelBackend

from accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Django's ModelBackend, except that the rights a user holds through their roles come
    from accounts.roles.ROLE_PERMISSIONS, the code the role groups are synced from on every
    migrate, rather than from the groups' rows on every request: the roles are read once a
    request anyway (User.roles), and a right added to a group by hand grants nothing."""

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # a technical account: every right, as Django gives it
            return super().get_group_permissions(user_obj, obj)
        return {perm for role in user_obj.roles for perm in ROLE_PERMISSIONS[role]}
