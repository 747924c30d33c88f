"""The words keyword search knows each need and language by, besides its name: synonyms callers use, in English and
Spanish (the Spanish names are the site's own translations of the need names)."""

from django.db import migrations, models

NEED_WORDS = {
    "housing": "vivienda casa housing home place to stay alojamiento",
    "emergency-shelter": "albergue de emergencia refugio albergue safe house casa segura shelter bed tonight cama "
    "emergency housing",
    "transitional-housing": "vivienda transitoria transitional living program vivienda temporal",
    "long-term-housing": "vivienda a largo plazo permanent housing rental assistance apartment ayuda con la renta "
    "alquiler",
    "crisis-safety": "crisis y seguridad emergency emergencia help now ayuda",
    "crisis-hotline": "intervencion en crisis linea 24 horas hotline crisis line linea de ayuda talk now",
    "safety-planning": "plan de seguridad safety plan proteccion",
    "case-management": "gestion de casos case manager caseworker social worker trabajador social trabajadora social "
    "advocate advocacy intercesor intercesora",
    "legal": "servicios legales lawyer attorney abogado abogada legal aid ayuda legal asesoria legal",
    "legal-civil": "servicios legales civiles protective order orden de proteccion custody custodia divorce divorcio "
    "wage claim salarios vacatur",
    "legal-criminal": "acompanamiento en procesos penales victim witness testigo court tribunal corte prosecution "
    "fiscal defense",
    "immigration-legal": "servicios legales de inmigracion immigration inmigracion asylum asilo green card "
    "residencia permiso de trabajo work permit deportation deportacion abogado de inmigracion",
    "t-visa": "visa T T-visa t visa I-914 visa de trafico de personas trafficking visa",
    "u-visa": "visa U U-visa u visa I-918 crime victim visa visa de victima",
    "continued-presence": "presencia continuada certificacion de HHS certification letter of eligibility carta de "
    "elegibilidad CP",
    "health": "salud health care clinic clinica",
    "medical": "atencion medica doctor medico clinic clinica hospital nurse enfermera forensic exam",
    "dental": "atencion dental dentist dentista teeth dientes",
    "mental-health": "salud mental counseling counselor consejeria terapia therapy therapist psicologo psicologa "
    "trauma psychiatrist psiquiatra",
    "substance-use": "tratamiento de consumo de sustancias addiction adiccion drugs drogas alcohol rehab recovery "
    "recuperacion detox",
    "language-education": "idioma y educacion language education",
    "interpretation": "interpretacion traduccion interpreter interprete translator traductor translation",
    "education-esl": "educacion ingles como segunda lengua English classes clases de ingles GED school escuela",
    "work-benefits": "trabajo y beneficios work trabajo benefits beneficios",
    "job-training": "capacitacion laboral empleo job jobs trabajo empleo employment work authorization",
    "public-benefits": "ayuda con beneficios publicos SNAP food stamps cupones Medicaid cash assistance "
    "asistencia en efectivo refugee benefits",
    "daily-needs": "necesidades diarias daily needs",
    "basic-needs": "necesidades basicas comida ropa food clothing clothes hygiene higiene phone telefono pantry "
    "despensa",
    "transportation": "transporte ride rides bus pass pase de autobus travel viaje",
    "childcare": "cuidado infantil child care daycare guarderia ninos children",
    "family-return": "familia y retorno family return",
    "family-reunification": "reunificacion familiar bring family traer a la familia derivative visas",
    "repatriation": "repatriacion return home volver a casa regresar",
}

# Spanish names of the languages callers most often ask for (others: their English name and code only).
LANGUAGE_WORDS = {
    "en": "ingles", "es": "espanol castellano", "zh": "chino mandarin cantones", "vi": "vietnamita",
    "ko": "coreano", "tl": "tagalo filipino", "ar": "arabe", "fr": "frances", "ht": "criollo haitiano kreyol",
    "pt": "portugues", "ru": "ruso", "hi": "hindi", "ja": "japones", "th": "tailandes", "uk": "ucraniano",
    "pl": "polaco", "de": "aleman", "it": "italiano", "so": "somali", "am": "amarico", "ti": "tigrinya tigrina",
    "ne": "nepali", "my": "birmano", "km": "jemer camboyano", "fa": "persa farsi", "ur": "urdu", "bn": "bengali",
    "sw": "suajili swahili", "ro": "rumano", "tr": "turco", "he": "hebreo", "el": "griego", "id": "indonesio",
}  # fmt: skip


def fill(apps, schema_editor):
    NeedTerm = apps.get_model("providers", "NeedTerm")
    Language = apps.get_model("providers", "Language")
    for code, words in NEED_WORDS.items():
        NeedTerm.objects.filter(code=code).update(search_words=words)
    for code, words in LANGUAGE_WORDS.items():
        Language.objects.filter(code=code).update(search_words=words)


class Migration(migrations.Migration):
    dependencies = [("providers", "0006_location_safe_texts"), ("matching", "0009_searchdocument")]

    operations = [
        migrations.AddField(
            model_name="needterm", name="search_words", field=models.TextField(blank=True, default="")
        ),
        migrations.AddField(
            model_name="language", name="search_words", field=models.TextField(blank=True, default="")
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
