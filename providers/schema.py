"""OpenAPI description of the location Feature, whose geometry is chosen per caller (exact or approximate).

drf-spectacular's GIS extension can only describe geometries read straight from a model field; ours is
computed, so this extension describes the Feature itself. Imported in ProvidersConfig.ready().
"""

from drf_spectacular.extensions import OpenApiSerializerExtension

GEOJSON_POINT_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "GeoJSON Point [longitude, latitude] (WGS84); approximate for generalized sites; null if virtual.",
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
    "required": ["type", "coordinates"],
}


class LocationFeatureExtension(OpenApiSerializerExtension):
    target_class = "providers.serializers.LocationSerializer"
    match_subclasses = True  # the map's light list (MapLocationSerializer) too

    def map_serializer(self, auto_schema, direction):
        base = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        properties = dict(base["properties"])
        id_schema = properties.pop("id")
        properties.pop("geometry", None)
        required = [name for name in base.get("required", []) if name not in {"id", "geometry"}]
        return {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": id_schema,
                "geometry": GEOJSON_POINT_SCHEMA,
                "properties": {"type": "object", "properties": properties, "required": required},
            },
            "required": ["type", "id", "geometry", "properties"],
        }
