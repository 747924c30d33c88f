"""Plain factory functions for test data (real rows in the PostGIS test database)."""

import itertools
from datetime import time

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_or_update
from providers import registry
from providers.models import (
    Address,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    Schedule,
    Service,
    ServiceAtLocation,
)

_counter = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery-staple-42"


def organization(**fields) -> Organization:
    n = next(_counter)
    fields.setdefault("name", f"Test Organization {n}")
    fields.setdefault("description", "A test organization.")
    return Organization.objects.create(**fields)


def service(org: Organization | None = None, *, needs=(), populations=(), languages=(), **fields) -> Service:
    fields.setdefault("name", f"Test Service {next(_counter)}")
    svc = Service.objects.create(organization=org or organization(), **fields)
    if needs:
        svc.needs.set(NeedTerm.objects.filter(code__in=needs))
    if populations:
        svc.populations.set(Population.objects.filter(code__in=populations))
    if languages:
        svc.languages.set(languages)
    return svc


def location(org: Organization | None = None, *, latitude=29.76, longitude=-95.37, **fields) -> Location:
    fields.setdefault("name", f"Test Location {next(_counter)}")
    fields.setdefault("time_zone", "America/Chicago")
    loc = Location(organization=org or organization(), latitude=latitude, longitude=longitude, **fields)
    registry.record_save(loc)  # the registry's write path: a confidential site gets its public point
    loc.refresh_from_db()
    return loc


def address(loc: Location, **fields) -> Address:
    fields.setdefault("address_1", "100 Test St")
    fields.setdefault("city", "Houston")
    fields.setdefault("state_province", "TX")
    fields.setdefault("postal_code", "77002")
    address = Address(location=loc, **fields)
    # As the application saves addresses: a site without coordinates takes the address's point.
    point = (
        registry.address_point(address, confidential=loc.is_confidential)
        if registry.location_needs_point(loc)
        else None
    )
    registry.address_save(address=address, point=point)
    return address


def phone(*, number="+17135550100", **fields) -> Phone:
    return Phone.objects.create(number=number, **fields)


def offer(svc: Service, loc: Location) -> ServiceAtLocation:
    return ServiceAtLocation.objects.create(service=svc, location=loc)


def schedule(loc: Location, weekday: int, opens: time, closes: time, **fields) -> Schedule:
    return Schedule.objects.create(location=loc, weekday=weekday, opens_at=opens, closes_at=closes, **fields)


def user(role: Role, *, organization=None, username=None) -> User:
    username = username or f"{role.value}-{next(_counter)}"
    created, _ = user_create_or_update(username=username, role=role, password=TEST_PASSWORD, organization=organization)
    return created
