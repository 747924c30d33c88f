"""python manage.py match --near "Houston, TX" --needs emergency-shelter,immigration-legal --language es"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geo.geocoding import GeocodingError, geocode
from geo.units import m_to_mi
from matching.engine import match
from matching.serializers import MatchInputSerializer
from providers.access import ConfidentialAccess


class Command(BaseCommand):
    help = "Match needs near a place and print the ranked options, the coverage plan and specialists."

    def add_arguments(self, parser):
        parser.add_argument("--near", required=True)
        parser.add_argument("--needs", required=True, help="Comma-separated need codes.")
        parser.add_argument("--language", action="append", default=[], help="ISO 639-1; repeatable.")
        parser.add_argument("--language-required", action="store_true")
        parser.add_argument("--age", type=int)
        parser.add_argument("--gender")
        parser.add_argument("--trafficking-type")
        parser.add_argument("--citizenship")
        parser.add_argument("--lgbtq", choices=["true", "false"])
        parser.add_argument("--radius-mi", type=float)
        parser.add_argument("--radius-km", type=float)
        parser.add_argument("--open-now", action="store_true")
        parser.add_argument("--accepting-referrals", action="store_true")
        parser.add_argument("--no-virtual", action="store_true")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument(
            "--public", action="store_true", help="Answer as the public would see it (generalized sites)."
        )

    def handle(self, *args, **o):
        data = {
            "near": o["near"], "needs": [o["needs"]], "language": o["language"],
            "language_required": o["language_required"], "age": o["age"], "gender": o["gender"],
            "trafficking_type": o["trafficking_type"], "citizenship": o["citizenship"],
            "lgbtq": None if o["lgbtq"] is None else o["lgbtq"] == "true",
            "radius_mi": o["radius_mi"], "radius_km": o["radius_km"], "open_now": o["open_now"],
            "accepting_referrals": o["accepting_referrals"], "include_virtual": not o["no_virtual"],
            "limit": o["limit"],
        }  # fmt: skip
        serializer = MatchInputSerializer(data=data)
        if not serializer.is_valid():
            raise CommandError("; ".join(f"{field}: {' '.join(map(str, errors))}"
                                         for field, errors in serializer.errors.items()))  # fmt: skip
        # Run by an operator on the server: exact places, as hotline staff see them, unless --public.
        access = ConfidentialAccess() if o["public"] else ConfidentialAccess(all=True)
        try:
            origin = geocode(o["near"])
        except GeocodingError as exc:
            raise CommandError(f"near: {exc}") from None
        result = match(request=serializer.to_request(), origin=origin, access=access, now=timezone.now())
        self._print(result)

    def _print(self, result):
        out = self.stdout.write
        request = result.request
        out(f"Near {result.origin.address} ({result.origin.latitude:.4f}, {result.origin.longitude:.4f}), "
            f"within {m_to_mi(request.radius_m):.0f} mi, needs: {', '.join(request.needs)}")  # fmt: skip
        out("")
        header = f"{'#':>2}  {'score':>6}  {'miles':>6}  {'organization / service':<58}  needs met"
        out(header)
        out("-" * len(header))
        for index, option in enumerate(result.options, 1):
            miles = (
                "area"
                if option.distance_m is None or option.in_service_area and option.distance_m > request.radius_m
                else f"{m_to_mi(option.distance_m):.1f}"
            )  # noqa: E501
            name = f"{option.view.organization_name} / {option.view.service_name}"[:58]
            out(f"{index:>2}  {option.score:>6.1f}  {miles:>6}  {name:<58}  {', '.join(option.needs_met)}")
            out(f"{'':>18}  {'; '.join(option.reasons)}")
        if not result.options:
            out("No options in reach.")
        out("")
        out("Coverage plan:")
        for option in result.coverage_plan.options:
            out(f"  - {option.view.organization_name} / {option.view.service_name}: "
                f"{', '.join(option.needs_met)}")  # fmt: skip
        for uncovered in result.coverage_plan.uncovered:
            out(f"  ! {uncovered.message}")
        out("")
        out("Victim assistance specialists:")
        for found in result.specialists:
            note = "" if found.covers_origin else " (nearest; does not cover this place)"
            s = found.specialist
            out(f"  - {s.name}, {s.hsi_office}, {s.phone.as_e164}{' (24/7)' if s.on_call_24_7 else ''}{note}")
