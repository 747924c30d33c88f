from django.apps import AppConfig


class CoverageMapConfig(AppConfig):
    name = "coveragemap"
    verbose_name = "Coverage map (where a need cannot be met)"
