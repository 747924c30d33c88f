"""Generalizing the position of confidential sites."""

import random

from geopy.distance import geodesic


def displaced_point(
    latitude: float, longitude: float, *, min_m: float, max_m: float, rng: random.Random | None = None
) -> tuple[float, float]:
    """Return (latitude, longitude) moved by a random distance in [min_m, max_m] metres on a random bearing.

    Called once per location and stored, so the public point is fixed: re-randomizing per request would
    let anyone average many answers back to the real address.
    """
    rng = rng or random.SystemRandom()
    distance_m = rng.uniform(min_m, max_m)
    bearing = rng.uniform(0.0, 360.0)
    moved = geodesic(meters=distance_m).destination((latitude, longitude), bearing)
    return round(moved.latitude, 6), round(moved.longitude, 6)
