"""The Content Security Policy: the one place that decides what a page may load.

Pages load scripts, styles, fonts and data only from this site, images also from the map tile server
(MAP_TILE_URL), and may not be framed, post forms elsewhere, or change their base URL. Two third-party pages
need inline code we cannot move into files: Django's admin with django-leaflet's map widgets (scripts and
styles) and the Swagger UI at /api/docs/ (a <style> block); only they get 'unsafe-inline'.
"""

from csp.middleware import CSPMiddleware

# Path prefix -> directives added to the site-wide policy (settings.CONTENT_SECURITY_POLICY) for those pages.
RELAXED_PAGES = {
    "/admin/": {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]},
    "/api/docs/": {"style-src": ["'unsafe-inline'"]},
}


def relaxations_for(path: str) -> dict | None:
    for prefix, directives in RELAXED_PAGES.items():
        if path.startswith(prefix):
            return directives
    return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        relaxed = relaxations_for(request.path_info)
        if relaxed and not report_only:
            parts.update = {**relaxed, **(parts.update or {})}
        return parts
