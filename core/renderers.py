"""The API's JSON renderer: DRF's output, encoded by orjson (several times faster than the json module on the large
lists: the map's GeoJSON, match results). What orjson does not encode by itself (dates and times, decimals, lazy
translations) goes through DRF's own encoder, so every value is written as DRF writes it."""

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_DRF = encoders.JSONEncoder()


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)  # pretty-printed: the browsable API
        encoded = orjson.dumps(data, default=_DRF.default, option=_OPTIONS)
        # As DRF: JSON that is also a strict JavaScript subset.
        if b"\xe2\x80\xa8" in encoded or b"\xe2\x80\xa9" in encoded:
            encoded = encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return encoded
