"""`?lang=en` or `?lang=es` on any page or API call: the reader's language for that request, over the language
cookie and Accept-Language (which Django's LocaleMiddleware reads first). A code we do not have is ignored."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class QueryLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        asked = request.GET.get("lang", "")
        if asked in self.codes:
            translation.activate(asked)
            request.LANGUAGE_CODE = asked
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        return response
