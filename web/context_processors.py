from django.conf import settings


def site(request):
    """Values every page needs: where the quick-exit button goes, and whether to show the moderation and coverage
    links."""
    from coveragemap.permissions import may_see_coverage
    from providers.permissions import is_moderator

    user = getattr(request, "user", None)
    return {"QUICK_EXIT_URL": settings.QUICK_EXIT_URL, "perms_moderator": bool(user and is_moderator(user)),
            "perms_coverage": bool(user and may_see_coverage(user))}  # fmt: skip
