"""Database expressions for points stored as latitude/longitude columns.

Locations keep latitude and longitude as plain numbers (checked by database constraints) and derive
their PostGIS point from them. A geography column alone cannot enforce the ranges: PostGIS silently
*coerces* out-of-range input (latitude 100 becomes 80), so a bad import would be stored at a wrong place.
"""

from django.contrib.gis.db.models import PointField
from django.db.models import Func

# SRID 4326: WGS84 longitude/latitude, the only coordinate system stored in this project.
WGS84 = 4326


class GeographyPoint(Func):
    """Return `geography(Point, 4326)` from (longitude, latitude) expressions; NULL when either is NULL."""

    template = "(ST_SetSRID(ST_MakePoint(%(expressions)s), 4326)::geography(Point, 4326))"
    arity = 2

    def __init__(self, longitude, latitude, **extra):
        super().__init__(longitude, latitude, output_field=PointField(geography=True, srid=WGS84), **extra)
