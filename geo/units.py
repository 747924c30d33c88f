"""Distance units. Names carry their unit: radius_m, distance_km, radius_mi."""

METERS_PER_MILE = 1609.344
METERS_PER_KM = 1000.0


def miles_to_m(miles: float) -> float:
    return miles * METERS_PER_MILE


def km_to_m(km: float) -> float:
    return km * METERS_PER_KM


def m_to_km(meters: float) -> float:
    return meters / METERS_PER_KM


def m_to_mi(meters: float) -> float:
    return meters / METERS_PER_MILE


def distance_in_m(value) -> float:
    """Return metres from a GeoDjango Distance or a plain number of metres (geography ST_Distance)."""
    return value.m if hasattr(value, "m") else float(value)
