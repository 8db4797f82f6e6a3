"""Authentication backends: Django's, with a user's rights read from their roles in the code."""

from django.contrib.auth.backends import ModelBackend

from accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Django's ModelBackend, except that a user holds rights through their roles only, and
    those come from accounts.roles.ROLE_PERMISSIONS, the code the role groups are synced from
    on every migrate, not from rows read on every request: the roles are read once a request
    anyway (User.roles). A right added by hand, to a group or to one user, grants nothing.
    A superuser (a technical account) keeps every right, as Django gives it."""

    def get_user_permissions(self, user_obj, obj=None):
        if user_obj.is_active and user_obj.is_superuser:
            return super().get_user_permissions(user_obj, obj)
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        return {perm for role in user_obj.roles for perm in ROLE_PERMISSIONS[role]}
