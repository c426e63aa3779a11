"""Chinese first: the interface is zh-Hans unless the user switched language (Django's language cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an English browser
would open the platform in English. Here only an explicit choice (the navbar switch → /i18n/setlang/) counts.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
