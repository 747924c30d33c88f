"""Checks on one HSDS service before it is imported: the HSDS 3.1 schemas (which take every 3.0 record), then this
directory's rules (coordinates in range, ages ordered, phone numbers that parse, known language codes, US addresses,
weekly hours, counts of capacities). Every problem names the record, where it is in the input and why."""

from dataclasses import dataclass

import phonenumbers
import pycountry

from geo.fips import USPS_TO_NAME
from hsds import additions, capacities, dated, spec, times
from hsds.readers import SourceRecord
from providers.models import MAX_AGE_YEARS, Address, Location, Organization, Phone, Service

WEEKDAYS = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}


@dataclass(frozen=True)
class Problem:
    record: str  # the service id (or "?" when it has none)
    where: str  # file and index/line/row
    path: str  # JSON path inside the record
    reason: str
    level: str = "error"  # "error" makes the record invalid; "warning" is reported only

    def __str__(self) -> str:
        return f"{self.level}: service {self.record} ({self.where}) {self.path}: {self.reason}"


def language_code(code: str) -> str | None:
    """Return the ISO 639-1 code for an ISO 639-1 or 639-3 code, or None when unknown."""
    code = (code or "").strip().lower()
    if len(code) == 2:
        found = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.languages.get(alpha_3=code)
    else:
        found = None
    return getattr(found, "alpha_2", None)


def weekdays(byday: str) -> list[int] | None:
    """Return ISO weekdays for an RRULE BYDAY list such as 'MO,TU', None when it holds anything else."""
    days = [part.strip().upper() for part in (byday or "").split(",") if part.strip()]
    if not days or any(day not in WEEKDAYS for day in days):
        return None
    return [WEEKDAYS[day] for day in days]


# HSDS field -> the model column it is stored in, to check lengths before the database does.
STORED_AS = {
    "service": (Service, ("name", "alternate_name", "url", "email")),
    "organization": (Organization, ("name", "alternate_name", "email", "website")),
    "location": (Location, ("name", "alternate_name")),
    "address": (Address, ("attention", "address_1", "address_2", "city", "region", "postal_code")),
    "phone": (Phone, ("extension", "description")),
}


def _too_long(kind: str, data: dict, path: str, problem) -> list[Problem]:
    model, fields = STORED_AS[kind]
    found = []
    for name in fields:
        value = data.get(name)
        limit = model._meta.get_field(name).max_length
        if value is not None and len(str(value)) > limit:
            found.append(problem(f"{path}.{name}", f"longer than {limit} characters"))
    return found


def validate(record: SourceRecord, *, known_languages: set[str]) -> list[Problem]:
    """Return every problem of one service record (empty when it can be imported)."""
    data = record.data
    if not isinstance(data, dict):
        return [Problem("?", record.where, "$", "a service must be a JSON object")]
    record_id = str(data.get("id", "?"))

    def problem(path: str, reason: str, level: str = "error") -> Problem:
        return Problem(record_id, record.locate(path), path, reason, level)

    problems = [problem(error.json_path, error.message) for error in spec.validator().iter_errors(data)]
    if problems:
        return problems  # the rules below assume the shapes the schema guarantees
    if not data.get("organization") and not data.get("organization_id"):
        problems.append(problem("$.organization", "a service needs its organization (organization or organization_id)"))
    low, high = data.get("minimum_age"), data.get("maximum_age")
    for name, age in (("minimum_age", low), ("maximum_age", high)):
        if age is not None and not (0 <= age <= MAX_AGE_YEARS):
            problems.append(problem(f"$.{name}", f"must be between 0 and {MAX_AGE_YEARS}"))
    if low is not None and high is not None and low > high:
        problems.append(problem("$.maximum_age", f"maximum_age {high} is below minimum_age {low}"))
    problems += _too_long("service", data, "$", problem)
    problems += _phones(data.get("phones"), "$.phones", problem)
    if data.get("organization"):
        problems += _too_long("organization", data["organization"], "$.organization", problem)
        problems += _phones(data["organization"].get("phones"), "$.organization.phones", problem)
    for index, language in enumerate(data.get("languages") or []):
        code = language_code(language.get("code", ""))
        if code is None or code not in known_languages:
            problems.append(problem(f"$.languages[{index}].code", f"unknown language code {language.get('code')!r}"))
    problems += _schedules(data.get("schedules"), "$.schedules", problem)
    problems += capacities.check(data.get("capacities"), "$.capacities", problem) + additions.check(data, problem)
    seen_locations = {}
    for index, offer in enumerate(data.get("service_at_locations") or []):
        path = f"$.service_at_locations[{index}]"
        location_id = (offer.get("location") or {}).get("id") or offer.get("location_id")
        if location_id in seen_locations:
            problems.append(problem(f"{path}.location", f"the same location as {seen_locations[location_id]}"))
        seen_locations.setdefault(location_id, path)
        problems += _schedules(offer.get("schedules"), f"{path}.schedules", problem)
        location = offer.get("location")
        if not location:
            problems.append(problem(f"{path}.location", "each service_at_location needs its location"))
            continue
        problems += _location(location, f"{path}.location", problem)
    return problems


def _phones(phones, path, problem) -> list[Problem]:
    found = []
    for index, phone in enumerate(phones or []):
        try:
            parsed = phonenumbers.parse(phone.get("number", ""), "US")
            ok = phonenumbers.is_possible_number(parsed)
        except phonenumbers.NumberParseException:
            ok = False
        if not ok:
            found.append(problem(f"{path}[{index}].number", f"not a phone number: {phone.get('number')!r}"))
        found += _too_long("phone", phone, f"{path}[{index}]", problem)
    return found


def _schedules(schedules, path, problem) -> list[Problem]:
    """Problems of weekly and dated hours (hsds/dated.py); times written as people write them ("9am", "9-5") are
    rewritten as HH:MM in the record, each with a warning saying what was read."""
    found = []
    for index, schedule in enumerate(schedules or []):
        opens = schedule.get("opens_at")
        here = f"{path}[{index}]"
        hours = bool(opens and schedule.get("closes_at")) or bool(opens and times.read_hours(opens, ""))
        if dated.is_dated(schedule):
            # Times first: a range in opens_at fills closes_at, which the dates' check then finds.
            found += (_times(schedule, here, problem) if hours else []) + dated.check(schedule, here, problem)
            continue
        if not hours:
            continue  # descriptive only (e.g. "by appointment"): kept out of opening hours
        elif (schedule.get("freq") or "WEEKLY").upper() != "WEEKLY" or weekdays(schedule.get("byday")) is None:
            found.append(problem(here, "opening hours must be weekly with byday such as 'MO,TU'"))
        if hours:
            found += _times(schedule, here, problem)
    return found


def _times(schedule: dict, here: str, problem) -> list[Problem]:
    opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
    if times.STRICT.match(str(opens)) and times.STRICT.match(str(closes)):
        return []
    read = times.read_hours(opens, closes or "")
    if read is None:
        return [
            problem(f"{here}.{name}", f"not a time of day (HH:MM, or as '9am', '4:30 PM', 'noon', '9-5'): {value!r}")
            for name, value in (("opens_at", opens), ("closes_at", closes)) if not times.STRICT.match(str(value))
        ]  # fmt: skip
    written = f"{opens!r}" + (f" to {closes!r}" if closes and closes != opens else "")
    schedule["opens_at"], schedule["closes_at"] = read
    return [problem(f"{here}.opens_at", f"{written} read as {read[0]} to {read[1]}", "warning")]


def _location(location, path, problem) -> list[Problem]:
    found = []
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if (latitude is None) != (longitude is None):
        found.append(problem(f"{path}.latitude", "latitude and longitude must be given together"))
    if latitude is not None and not -90 <= latitude <= 90:
        found.append(problem(f"{path}.latitude", f"latitude {latitude} is outside -90..90"))
    if longitude is not None and not -180 <= longitude <= 180:
        found.append(problem(f"{path}.longitude", f"longitude {longitude} is outside -180..180"))
    found += _too_long("location", location, path, problem)
    for index, address in enumerate(location.get("addresses") or []):
        address_path = f"{path}.addresses[{index}]"
        found += _too_long("address", address, address_path, problem)
        if (address.get("country") or "US").upper() not in {"US", "USA"}:
            found.append(problem(f"{address_path}.country", "only US addresses are listed here"))
        if (address.get("state_province") or "").upper() not in USPS_TO_NAME:
            found.append(problem(f"{address_path}.state_province", "not a two-letter US state code"))
    found += _phones(location.get("phones"), f"{path}.phones", problem)
    found += _schedules(location.get("schedules"), f"{path}.schedules", problem)
    return found
