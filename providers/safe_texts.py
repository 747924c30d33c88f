"""Moderators' safe marks on a confidential site's free text (providers.disclosure, docs/privacy.md): which texts are
shown with a site and whether the public sees them (the read), and marking texts safe or not (the write)."""

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from providers.access import ConfidentialAccess
from providers.disclosure import SERVICE_TEXT_FIELDS, SiteDisclosure, SiteMarks, text_digest
from providers.models import ListingChange, Location
from providers.translations import all_texts


@dataclass(frozen=True)
class SiteText:
    field: str  # which record and field, e.g. "location.transportation", "schedule:<id>.description"
    text: str
    sha256: str
    safe: bool  # a moderator marked it safe
    withheld: bool  # the public does not see it


def location_texts(*, location: Location) -> list[SiteText]:
    """Return every free text shown with a site (its own, its hours', dates' and phones' notes, its offers'
    descriptions) and the texts of services offered there that name it, as the public sees them."""
    public = SiteDisclosure.of(location, ConfidentialAccess())
    marks = SiteMarks.of(location)
    # Each text in English and, where it has one, in Spanish (providers.translations): a reader may be shown either.
    found = [(f"location.{n}", v) for n, v in all_texts(location, "description")]
    found += [
        ("location.transportation", location.transportation),
        ("location.accessibility_details", location.accessibility_details),
    ]
    found += [(f"schedule:{s.pk}.{n}", v) for s in location.schedules.all() for n, v in all_texts(s, "description")]
    found += [(f"phone:{p.pk}.description", p.description) for p in location.phones.all()]
    found += [(f"hours_exception:{e.pk}.{n}", v) for e in location.hours_exceptions.all() for n, v in
              all_texts(e, "note")]  # fmt: skip
    for offer in location.service_at_locations.all():
        found.append((f"service_at_location:{offer.pk}.description", offer.description))
        for field in SERVICE_TEXT_FIELDS:
            for name, value in all_texts(offer.service, field):
                # Only a service text that names the site is held back for it (providers.disclosure.service_texts).
                if value and replace(marks, safe_texts=frozenset()).found_in(value):
                    found.append((f"service:{offer.service_id}.{name}", value))
    texts = []
    for field, text in found:
        if text:
            digest = text_digest(text)
            safe = digest in (location.safe_texts or ())
            withheld = not safe if field.startswith("service:") else public.withholds(text)
            texts.append(SiteText(field, text, digest, safe, location.is_confidential and withheld))
    return texts


def location_texts_mark(*, location: Location, moderator, safe: list[str], unsafe: list[str]) -> list[SiteText]:
    """Mark texts shown with a site safe (or no longer safe) by their digests, with the listing history; return
    the texts as they now stand. Only digests of texts the site shows are accepted."""
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        shown = {text.sha256 for text in location_texts(location=location)}
        for name, digests in (("safe", safe), ("unsafe", unsafe)):
            unknown = sorted(set(digests) - shown)
            if unknown:
                raise ValidationError({name: f"Not the digest of a text this site shows: {', '.join(unknown)}."})
        if set(safe) & set(unsafe):
            raise ValidationError({"unsafe": "A text cannot be marked safe and unsafe at once."})
        before = sorted(location.safe_texts or ())
        after = sorted((set(before) | set(safe)) - set(unsafe))
        if after != before:
            # update(): the marks change what is shown, not the site; no other field is written.
            Location.objects.filter(pk=location.pk).update(safe_texts=after)
            ListingChange.objects.create(
                organization_id=location.organization_id, record_type="location", record_id=location.pk,
                field="safe_texts", before=before, after=after, source=ListingChange.Source.DIRECT,
                changed_by=moderator, changed_at=timezone.now(),
            )  # fmt: skip
        location.safe_texts = after
    return location_texts(location=location)
