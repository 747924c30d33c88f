from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Provider registry"

    def ready(self):
        from providers import schema  # noqa: F401  (registers the OpenAPI extension)
