from django.conf import settings


def site(request):
    """Values every page needs: where the quick-exit button goes."""
    return {"QUICK_EXIT_URL": settings.QUICK_EXIT_URL}
