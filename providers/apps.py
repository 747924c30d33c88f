from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Provider registry"

    def ready(self):
        from django.core import checks

        from providers import schema, vocabulary  # noqa: F401  (schema registers the OpenAPI extension)
        from providers.handout import check_sender_name

        checks.register(check_sender_name)
        vocabulary.connect()
