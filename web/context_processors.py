from django.conf import settings


def site(request):
    """Values every page needs: where the quick-exit button goes, and whether to show the moderation link."""
    from providers.permissions import is_moderator

    user = getattr(request, "user", None)
    return {"QUICK_EXIT_URL": settings.QUICK_EXIT_URL, "perms_moderator": bool(user and is_moderator(user))}
