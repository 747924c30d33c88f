"""Reads of sends: a sender sees their own, nobody else sees any (404, so ids cannot be probed)."""

from django.http import Http404

from sends.models import Send


def send_list(*, user):
    if user is None or not user.is_authenticated:
        return Send.objects.none()
    return Send.objects.filter(sender=user).prefetch_related("events")


def send_get(*, user, send_id) -> Send:
    send = send_list(user=user).filter(pk=send_id).first()
    if send is None:
        raise Http404("No such send.")
    return send
