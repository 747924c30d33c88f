"""The demo listings' Spanish texts (providers.translations): the organizations' descriptions and the services'
names, descriptions, how to apply and alerts. Eligibility is left in English, so the demo shows a Spanish reader
the English text marked as such."""

import json

from demo.places import STATES

ORGANIZATION_DESCRIPTIONS = {
    "Emergency and transitional housing for survivors of trafficking.":
        "Vivienda de emergencia y de transición para sobrevivientes de trata.",
    "Immigration and civil legal help for survivors.": "Ayuda legal civil y de inmigración para sobrevivientes.",
    "Trauma-informed medical, dental and behavioral health care.":
        "Atención médica, dental y de salud mental informada sobre el trauma.",
    "Case management and practical help for survivors of trafficking.":
        "Gestión de casos y ayuda práctica para sobrevivientes de trata.",
    **{f"24/7 statewide hotline and virtual legal clinic for {name}.":
       f"Línea estatal 24/7 y clínica legal virtual para {name}." for name in STATES.values()},
}  # fmt: skip
SERVICE_NAMES = {
    "Emergency Shelter": "Refugio de emergencia", "Transitional Housing": "Vivienda de transición",
    "Housing Placement": "Ubicación en vivienda", "Immigration Legal Services": "Servicios legales de inmigración",
    "Civil and Criminal Legal Advocacy": "Defensa legal civil y penal", "Health Clinic": "Clínica de salud",
    "Counseling and Recovery": "Consejería y recuperación", "Case Management": "Gestión de casos",
    "Language and Work Services": "Servicios de idiomas y empleo",
    "Family and Travel Support": "Apoyo familiar y de viaje",
    "Virtual Immigration Legal Clinic": "Clínica legal de inmigración virtual",
    **{f"{name} 24/7 Trafficking Hotline": f"Línea 24/7 contra la trata de {name}" for name in STATES.values()},
}  # fmt: skip
APPLY = "Llame o reciba una remisión a través del directorio."
ALERT = "Admisiones en pausa esta semana (demo)."


def organization_i18n(description: str) -> str:
    spanish = ORGANIZATION_DESCRIPTIONS.get(description)
    return json.dumps(
        {"description_es": f"Listado ficticio de demostración. {spanish}"} if spanish else {}, ensure_ascii=False
    )


def service_i18n(name: str, *, own_description: bool, alert: str) -> str:
    spanish = SERVICE_NAMES.get(name)
    if spanish is None:
        return "{}"
    i18n = {"name_es": spanish, "application_process_es": APPLY}
    if not own_description:
        i18n["description_es"] = f"{spanish} (servicio ficticio de demostración)."
    if alert:
        i18n["alert_es"] = ALERT
    return json.dumps(i18n, ensure_ascii=False)
