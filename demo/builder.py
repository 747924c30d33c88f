"""Fictional demo listings at real US ZIP-code centroids, deterministic for a given seed.

Every organization is marked "[DEMO]" in its name and "Fictional demo listing" in its description;
phone numbers use the 555-01XX range reserved for fiction; emails use example.org.

Rows are generated in Python and written with PostgreSQL COPY (providers.bulk: 100,000 locations and their ~2
million related rows in well under a minute); the small tables (service areas, specialists) use the ORM.
"""

import itertools
import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.gis.geos import MultiPolygon
from django.db import connection, transaction
from django.utils import timezone

from demo import spanish
from demo.places import (
    FIRST_NAMES,
    FRONT_DOOR_DESCRIPTION,
    LANGUAGE_WEIGHTS,
    LAST_NAMES,
    METRO_RADIUS_DEG,
    METRO_SHARE,
    METROS,
    NAME_WORDS,
    STATES,
    STREET_TYPES,
    STREETS,
    ZipPlace,
    approximate_state_outline,
    us_zip_places,
)
from demo.twins import plant_listed_twice, plant_twins
from geo.boundaries import state_outline
from matching.index import match_index_deferred
from providers import registry
from providers.bulk import copy_m2m, copy_rows, foreign_keys_validated_after
from providers.models import (
    Address,
    Language,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    VictimAssistanceSpecialist,
)

# How often a demo site lists each accessibility feature (about as often as such sites do).
DEMO_ACCESSIBILITY = (("wheelchair", 0.7), ("elevator", 0.3), ("accessible-restroom", 0.5),
                      ("accessible-parking", 0.4), ("sign-language", 0.08), ("interpreters-on-site", 0.3),
                      ("service-animals", 0.6), ("hearing-loop", 0.05), ("large-print-braille", 0.08))  # fmt: skip


def demo_accessibility(location_id: uuid.UUID) -> list[str]:
    """A site's features, drawn from its own id: the registry's other draws stay what they were."""
    rng = random.Random(location_id.int)
    return [code for code, share in DEMO_ACCESSIBILITY if rng.random() < share]


class DemoRegistryBuilder:
    """Generates the demo registry in memory; `write()` stores it."""

    def __init__(self, *, locations: int, seed: int, today: date, now: datetime):
        self.rng = random.Random(seed)
        self.location_budget = locations
        self.today, self.now = today, now
        self.places = us_zip_places()
        self.by_state: dict[str, list[ZipPlace]] = defaultdict(list)
        for place in self.places:
            self.by_state[place.state].append(place)
        self.metro_places = {
            name: [p for p in self.by_state[state]
                   if abs(p.latitude - lat) < METRO_RADIUS_DEG and abs(p.longitude - lon) < METRO_RADIUS_DEG]
            for name, state, lat, lon in METROS
        }  # fmt: skip
        self.need_ids = dict(NeedTerm.objects.values_list("code", "id"))
        self.population_ids = dict(Population.objects.values_list("code", "id"))
        self.language_codes = set(Language.objects.values_list("code", flat=True))
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.service_areas: list[ServiceArea] = []
        self.specialists: list[tuple[VictimAssistanceSpecialist, list[str]]] = []
        self.location_count = 0
        self.showcase_organization_id: uuid.UUID | None = None
        self.twins: list[tuple[uuid.UUID, uuid.UUID]] = []  # organizations planted twice (demo.twins)
        self.listed_twice: list[tuple[str, uuid.UUID, uuid.UUID]] = []  # a service and a site planted twice
        self._outlines: dict[str, MultiPolygon] = {}
        self._has_boundary: dict[str, bool] = {}
        self._phone_serial = 0
        self._nearby: dict[str, list[ZipPlace]] = {}
        self._language_codes, weights = zip(*LANGUAGE_WEIGHTS, strict=True)
        self._language_cum_weights = list(itertools.accumulate(weights))

    # -- small helpers -----------------------------------------------------------------------------

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def outline(self, state: str) -> MultiPolygon:
        """Return the state's Census outline when boundaries are loaded, else an approximation."""
        if state not in self._outlines:
            real = state_outline(state)
            self._has_boundary[state] = real is not None
            self._outlines[state] = real or approximate_state_outline(self.by_state[state])
        return self._outlines[state]

    def state_codes(self, state: str) -> list[str]:
        """Return [state] when the area is the state's real outline (so it reads as "whole state")."""
        self.outline(state)
        return [state] if self._has_boundary.get(state) else []

    def phone_number(self, area_code: str) -> str:
        # 555-0100..0199 is reserved for fictional use.
        self._phone_serial += 1
        return f"+1{area_code}5550{100 + self._phone_serial % 100:03d}"

    def pick_home(self) -> ZipPlace:
        if self.chance(METRO_SHARE):
            metro = self.rng.choice(METROS)[0]
            if self.metro_places[metro]:
                return self.rng.choice(self.metro_places[metro])
        return self.rng.choice(self.places)

    def nearby(self, home: ZipPlace) -> ZipPlace:
        """Return a ZIP code near home (same state, within ~50 km when there is one)."""
        close = self._nearby.get(home.code)
        if close is None:
            close = self._nearby[home.code] = [
                p for p in self.by_state[home.state]
                if abs(p.latitude - home.latitude) < METRO_RADIUS_DEG
                and abs(p.longitude - home.longitude) < METRO_RADIUS_DEG
            ] or [home]  # fmt: skip
        return self.rng.choice(close)

    def languages(self) -> list[str]:
        chosen = ["en"]
        if self.chance(0.6):
            chosen.append("es")
        for _ in range(self.rng.choice([0, 0, 1, 1, 2, 3])):
            code = self.rng.choices(self._language_codes, cum_weights=self._language_cum_weights)[0]
            if code not in chosen and code in self.language_codes:
                chosen.append(code)
        return chosen

    def verified_on(self) -> date:
        # Most listings are fresh (verified within 150 days); about one in five is stale (> 180 days).
        days = self.rng.randint(0, 150) if self.chance(0.8) else self.rng.randint(181, 540)
        return self.today - timedelta(days=days)

    def status(self) -> str:
        roll = self.rng.random()
        if roll < 0.95:
            return Service.Status.ACTIVE
        return Service.Status.TEMPORARILY_CLOSED if roll < 0.98 else Service.Status.INACTIVE

    # -- rows --------------------------------------------------------------------------------------

    def add_organization(self, *, name: str, description: str, home: ZipPlace) -> uuid.UUID:
        org_id = self.new_id()
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        self.rows["organization"].append(
            (org_id, self.now, self.now, f"[DEMO] {name}", "",
             f"Fictional demo listing. {description}", f"intake@{slug}.example.org", f"https://{slug}.example.org",
             spanish.organization_i18n(description))
        )  # fmt: skip
        self.rows["phone"].append(
            (
                self.new_id(),
                org_id,
                None,
                None,
                self.phone_number(home.area_code),
                "",
                "voice",
                "Main office",
                False,
            )
        )
        return org_id

    def add_service(
        self,
        org_id: uuid.UUID,
        *,
        name: str,
        needs: list[str],
        populations: list[str] = (),
        minimum_age: int | None = None,
        maximum_age: int | None = None,
        description: str = "",
        eligibility: str = "",
    ) -> uuid.UUID:
        service_id = self.new_id()
        languages = self.languages()
        alert = "Intake paused this week (demo)." if self.chance(0.05) else ""
        interpretation = "Phone interpretation in any language." if self.chance(0.5) else ""
        self.rows["service"].append(
            (service_id, self.now, self.now, org_id, name, "", description or f"{name} (fictional demo service).",
             "", "", self.status(), interpretation, "Call or receive a referral through the directory.",
             "Free of charge.", eligibility, minimum_age, maximum_age, alert, self.verified_on(),
             spanish.service_i18n(name, own_description=bool(description), alert=alert))
        )  # fmt: skip
        for code in dict.fromkeys(needs):
            self.rows["service_needs"].append((service_id, self.need_ids[code]))
        for code in dict.fromkeys(populations):
            self.rows["service_populations"].append((service_id, self.population_ids[code]))
        for code in languages:
            self.rows["service_languages"].append((service_id, code))
        return service_id

    def add_location(
        self,
        org_id: uuid.UUID,
        place: ZipPlace | None,
        *,
        name: str,
        confidential: bool = False,
        virtual: bool = False,
        beds: int | None = None,
        open_24_7: bool = False,
        time_zone: str = "America/New_York",
        showcase: bool = False,
    ) -> uuid.UUID:
        location_id = self.new_id()
        latitude = longitude = public_latitude = public_longitude = None
        if place is not None and not virtual:
            # Spread sites around the ZIP centroid (about +-2 km) so that sites in one ZIP differ.
            latitude = round(place.latitude + self.rng.uniform(-0.018, 0.018), 6)
            longitude = round(place.longitude + self.rng.uniform(-0.022, 0.022), 6)
            public_latitude, public_longitude = latitude, longitude
            if confidential:
                # The registry's own rule, so demo sites are generalized exactly as edited ones are.
                generalized = Location(latitude=latitude, longitude=longitude, is_confidential=True)
                registry.location_prepare(generalized, rng=self.rng)
                public_latitude, public_longitude = generalized.public_latitude, generalized.public_longitude
            time_zone = place.time_zone
        beds_available = None
        if beds is not None:
            beds_available = 0 if self.chance(0.3) else self.rng.randint(1, beds)
        # The showcase site always takes referrals (with a bed free), so the demo walkthrough works.
        accepting = self.chance(0.85 if beds is not None else 0.92) or showcase
        if showcase and beds:
            beds_available = max(beds_available or 0, 1)
        self.rows["location"].append(
            (location_id, self.now, self.now, org_id, name, "", "", "virtual" if virtual else "physical", "",
             latitude, longitude, confidential, public_latitude, public_longitude, time_zone, open_24_7,
             beds, beds_available, accepting, self.now if beds is not None else None,
             [] if virtual or place is None else demo_accessibility(location_id), "")
        )  # fmt: skip
        self.location_count += 1
        if place is not None and not virtual:
            street = f"{self.rng.randint(100, 9899)} {self.rng.choice(STREETS)} {self.rng.choice(STREET_TYPES)}"
            self.rows["address"].append(
                (
                    self.new_id(),
                    location_id,
                    "",
                    street,
                    "",
                    place.city,
                    "",
                    place.state,
                    place.code,
                    "US",
                    "physical",
                )
            )
            kind = "Direct line (confidential)" if confidential else "Front desk"
            self.rows["phone"].append(
                (
                    self.new_id(),
                    None,
                    None,
                    location_id,
                    self.phone_number(place.area_code),
                    "",
                    "voice",
                    kind,
                    False,
                )
            )
            if confidential:
                self.rows["phone"].append(
                    (self.new_id(), None, None, location_id, self.phone_number(place.area_code), "", "voice",
                     FRONT_DOOR_DESCRIPTION, True)
                )  # fmt: skip
        if not open_24_7:
            self.add_hours(location_id)
        return location_id

    def add_hours(self, location_id: uuid.UUID) -> None:
        opens = self.rng.choice([time(8), time(9), time(9), time(10)])
        closes = time(opens.hour + self.rng.choice([7, 8, 8, 9]))
        for weekday in range(1, 6):
            self.rows["schedule"].append((self.new_id(), location_id, None, weekday, opens, closes, ""))
        if self.chance(0.25):
            self.rows["schedule"].append((self.new_id(), location_id, None, 6, time(10), time(14), ""))
        if self.chance(0.05):
            # Evening drop-in hours that run past midnight.
            for weekday in (5, 6):
                self.rows["schedule"].append(
                    (self.new_id(), location_id, None, weekday, time(18), time(2), "Evening drop-in")
                )

    def link(self, service_id: uuid.UUID, location_id: uuid.UUID) -> None:
        self.rows["service_at_location"].append((self.new_id(), self.now, self.now, service_id, location_id, ""))

    # -- archetypes --------------------------------------------------------------------------------

    def org_name(self, home: ZipPlace, kind: str) -> str:
        return f"{self.rng.choice(NAME_WORDS)} {kind} of {home.city}"

    def shelter(self, home: ZipPlace, site_count: int, *, showcase: bool = False) -> uuid.UUID:
        org_id = self.add_organization(
            name=self.org_name(home, "Shelter Network"),
            description="Emergency and transitional housing for survivors of trafficking.",
            home=home,
        )
        roll = self.rng.random()
        if roll < 0.65:
            populations, min_age, max_age, who = ["adults"], 18, None, "adults"
        elif roll < 0.85:
            populations, min_age, max_age, who = ["minors"], 12, 17, "youth aged 12-17"
        else:
            populations, min_age, max_age, who = [], None, None, "all ages"
        gender = self.rng.random()
        if gender < 0.35:
            populations += ["women"]
        elif gender < 0.5:
            populations += ["women", "transgender-nonbinary"]
        elif gender < 0.62:
            populations += ["men"]
        if self.chance(0.15):
            populations.append("sex-trafficking")
        elif self.chance(0.1):
            populations.append("labor-trafficking")
        if self.chance(0.05):
            populations.append("lgbtq")
        if self.chance(0.05):
            populations.append("us-citizens-lpr")
        shelter_needs = ["emergency-shelter", "safety-planning", "basic-needs"]
        if self.chance(0.5):
            shelter_needs.append("case-management")
        services = [
            self.add_service(org_id, name="Emergency Shelter", needs=shelter_needs, populations=populations,
                             minimum_age=min_age, maximum_age=max_age, eligibility=f"Serves {who}.")
        ]  # fmt: skip
        if self.chance(0.45):
            transitional = ["transitional-housing", "case-management"] + (["job-training"] if self.chance(0.3) else [])
            services.append(
                self.add_service(org_id, name="Transitional Housing", needs=transitional, populations=populations,
                                 minimum_age=min_age, maximum_age=max_age, eligibility=f"Serves {who}.")
            )  # fmt: skip
        if self.chance(0.1):
            services.append(self.add_service(org_id, name="Housing Placement", needs=["long-term-housing"]))
        for index in range(site_count):
            place = home if index == 0 else self.nearby(home)
            confidential = (index == 0 and (showcase or self.chance(0.75))) or (index > 0 and self.chance(0.3))
            location_id = self.add_location(
                org_id, place, name=f"{'Safe House' if confidential else 'Shelter'} {index + 1}",
                confidential=confidential, beds=self.rng.randint(6, 60), open_24_7=True, showcase=showcase,
            )  # fmt: skip
            for service_id in services:
                self.link(service_id, location_id)
        return org_id

    def legal(self, home: ZipPlace, site_count: int) -> uuid.UUID:
        org_id = self.add_organization(
            name=self.org_name(home, "Legal Aid"),
            description="Immigration and civil legal help for survivors.",
            home=home,
        )
        services = []
        if self.chance(0.8):
            immigration = ["immigration-legal"] + [
                code for code in ("t-visa", "u-visa", "continued-presence") if self.chance(0.7)
            ]
            services.append(
                self.add_service(org_id, name="Immigration Legal Services", needs=immigration,
                                 populations=["foreign-nationals"],
                                 eligibility="Foreign-national survivors; T/U visa and Continued Presence help.")
            )  # fmt: skip
        if not services or self.chance(0.6):
            civil = ["legal-civil"] + (["legal-criminal"] if self.chance(0.5) else [])
            services.append(self.add_service(org_id, name="Civil and Criminal Legal Advocacy", needs=civil))
        self._sites(org_id, home, site_count, services, "Law Office")
        return org_id

    def health(self, home: ZipPlace, site_count: int) -> uuid.UUID:
        org_id = self.add_organization(
            name=self.org_name(home, "Health Center"),
            description="Trauma-informed medical, dental and behavioral health care.",
            home=home,
        )
        services = [self.add_service(org_id, name="Health Clinic",
                                     needs=["medical"] + (["dental"] if self.chance(0.4) else []))]  # fmt: skip
        if self.chance(0.7):
            services.append(
                self.add_service(org_id, name="Counseling and Recovery",
                                 needs=["mental-health"] + (["substance-use"] if self.chance(0.4) else []))
            )  # fmt: skip
        self._sites(org_id, home, site_count, services, "Clinic")
        return org_id

    def multi_service(self, home: ZipPlace, site_count: int) -> uuid.UUID:
        org_id = self.add_organization(
            name=self.org_name(home, "Survivor Services"),
            description="Case management and practical help for survivors of trafficking.",
            home=home,
        )
        populations = ["labor-trafficking"] if self.chance(0.1) else []
        if self.chance(0.05):
            populations.append("lgbtq")
        case = ["case-management", "safety-planning"] + (["crisis-hotline"] if self.chance(0.3) else [])
        services = [self.add_service(org_id, name="Case Management", needs=case, populations=populations)]
        practical = [c for c in ("interpretation", "education-esl", "job-training", "public-benefits")
                     if self.chance(0.55)]  # fmt: skip
        if practical:
            services.append(self.add_service(org_id, name="Language and Work Services", needs=practical))
        family = [c for c in ("childcare", "transportation", "family-reunification", "repatriation")
                  if self.chance(0.4)]  # fmt: skip
        if family:
            services.append(self.add_service(org_id, name="Family and Travel Support", needs=family))
        self._sites(org_id, home, site_count, services, "Office")
        return org_id

    def _sites(self, org_id, home, site_count, services, label) -> None:
        for index in range(site_count):
            place = home if index == 0 else self.nearby(home)
            location_id = self.add_location(org_id, place, name=f"{label} {index + 1}")
            for service_id in services:
                self.link(service_id, location_id)

    def statewide(self, state: str) -> None:
        """A statewide hotline with a virtual legal clinic: no office near most callers, but in reach."""
        home = self.rng.choice(self.by_state[state])
        org_id = self.add_organization(
            name=f"{STATES[state]} Anti-Trafficking Hotline",
            description=f"24/7 statewide hotline and virtual legal clinic for {STATES[state]}.",
            home=home,
        )
        services = [self.add_service(org_id, name=f"{STATES[state]} 24/7 Trafficking Hotline",
                                     needs=["crisis-hotline", "safety-planning"])]  # fmt: skip
        if self.chance(0.6):
            services.append(
                self.add_service(org_id, name="Virtual Immigration Legal Clinic",
                                 needs=["immigration-legal", "t-visa", "u-visa"], populations=["foreign-nationals"])
            )  # fmt: skip
        location_id = self.add_location(org_id, None, name="Phone and online", virtual=True, open_24_7=True,
                                        time_zone=home.time_zone)  # fmt: skip
        self.rows["phone"].append(
            (
                self.new_id(),
                None,
                None,
                location_id,
                self.phone_number(home.area_code),
                "",
                "voice",
                "24/7 line",
                True,
            )
        )
        for service_id in services:
            self.link(service_id, location_id)
            self.service_areas.append(
                ServiceArea(id=self.new_id(), service_id=service_id, name=STATES[state],
                            description=f"Statewide: {STATES[state]}", extent=self.outline(state),
                            state_codes=self.state_codes(state))
            )  # fmt: skip

    def specialists_for(self, state: str) -> None:
        count = 3 if state in {"CA", "TX", "NY", "FL"} else (2 if len(self.by_state[state]) > 800 else 1)
        metros = [m for m in METROS if m[1] == state]
        office_city = metros[0][0] if metros else self.by_state[state][0].city
        area_code = self.rng.choice(self.by_state[state]).area_code
        for index in range(count):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            specialist = VictimAssistanceSpecialist(
                id=self.new_id(), name=f"{first} {last} (demo)", hsi_office=f"HSI {office_city} (demo)",
                phone=self.phone_number(area_code), email=f"{first}.{last}@example.org".lower(),
                on_call_24_7=index == 0, coverage_description=STATES[state], coverage_area=self.outline(state),
                state_codes=self.state_codes(state),
            )  # fmt: skip
            languages = ["en"] + (["es"] if self.chance(0.7) else [])
            self.specialists.append((specialist, languages))

    # -- the whole registry ------------------------------------------------------------------------

    def build(self) -> None:
        states = sorted(STATES)
        statewide_count = min(len(states), self.location_budget // 10)
        for state in self.rng.sample(states, statewide_count):
            self.statewide(state)
        # The showcase organization (the demo provider's): a shelter with a confidential site in Houston.
        houston = self.metro_places["Houston"]
        if self.location_count < self.location_budget and houston:
            self.showcase_organization_id = self.shelter(self.rng.choice(houston), 1, showcase=True)
        archetypes = [(self.shelter, 25), (self.legal, 20), (self.health, 20), (self.multi_service, 35)]
        makers, weights = zip(*archetypes, strict=True)
        while self.location_count < self.location_budget:
            remaining = self.location_budget - self.location_count
            site_count = min(remaining, self.rng.choices([1, 2, 3], [60, 25, 15])[0])
            self.rng.choices(makers, weights)[0](self.pick_home(), site_count)
        for state in states:
            self.specialists_for(state)

    def write(self) -> None:
        bulk_tables = [Organization, Service, Location, Address, ServiceAtLocation, Phone, Schedule]
        bulk_tables += [Service.needs.through, Service.populations.through, Service.languages.through]
        with foreign_keys_validated_after(bulk_tables):
            copy_rows(Organization, ["id", "created_at", "updated_at", "name", "alternate_name", "description",
                                     "email", "website", "i18n"], self.rows["organization"])  # fmt: skip
            copy_rows(Service, ["id", "created_at", "updated_at", "organization_id", "name", "alternate_name",
                                "description", "url", "email", "status", "interpretation_services",
                                "application_process", "fees_description", "eligibility_description", "minimum_age",
                                "maximum_age", "alert", "last_verified_on", "i18n"], self.rows["service"])  # fmt: skip
            copy_m2m(Service._meta.get_field("needs"), self.rows["service_needs"])
            copy_m2m(Service._meta.get_field("populations"), self.rows["service_populations"])
            copy_m2m(Service._meta.get_field("languages"), self.rows["service_languages"])
            copy_rows(Location, ["id", "created_at", "updated_at", "organization_id", "name", "alternate_name",
                                 "description", "location_type", "transportation", "latitude", "longitude",
                                 "is_confidential", "public_latitude", "public_longitude", "time_zone", "open_24_7",
                                 "beds_total", "beds_available", "accepting_referrals", "capacity_updated_at",
                                 "accessibility", "accessibility_details"],
                      self.rows["location"])  # fmt: skip
            copy_rows(Address, ["id", "location_id", "attention", "address_1", "address_2", "city", "region",
                                "state_province", "postal_code", "country", "address_type"],
                      self.rows["address"])  # fmt: skip
            copy_rows(ServiceAtLocation, ["id", "created_at", "updated_at", "service_id", "location_id", "description"],
                      self.rows["service_at_location"])  # fmt: skip
            copy_rows(Phone, ["id", "organization_id", "service_id", "location_id", "number", "extension", "type",
                              "description", "is_front_door"], self.rows["phone"])  # fmt: skip
            copy_rows(Schedule, ["id", "location_id", "service_id", "weekday", "opens_at", "closes_at", "description"],
                      self.rows["schedule"])  # fmt: skip
        ServiceArea.objects.bulk_create(self.service_areas)
        VictimAssistanceSpecialist.objects.bulk_create([specialist for specialist, _ in self.specialists])
        copy_m2m(
            VictimAssistanceSpecialist._meta.get_field("languages"),
            [(specialist.id, code) for specialist, codes in self.specialists for code in codes],
        )
        with connection.cursor() as cursor:
            for model in (Organization, Service, Location, ServiceAtLocation, Phone, Schedule, Address):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def demo_registry_load(*, locations: int, seed: int) -> DemoRegistryBuilder:
    """Generate and store the demo registry in one transaction; return the builder (counts, showcase org)."""
    now = timezone.now()
    builder = DemoRegistryBuilder(locations=locations, seed=seed, today=timezone.localdate(now), now=now)
    builder.build()
    # The database derives the match index from what is written; deferred, it does so once, at the end.
    with match_index_deferred():
        builder.write()
        builder.twins = plant_twins()
        builder.listed_twice = plant_listed_twice({org for pair in builder.twins for org in pair})
    return builder
