"""Names of the needs taxonomy and population terms, marked for translation.

The terms live in the database (providers.NeedTerm, Population); their English names are listed here so
that `makemessages` collects them and the pages can show them in the visitor's language (templates use the
`translated` filter). Keep this list in step with providers/migrations/0002_vocabularies.py.
"""

from django.utils.translation import gettext_noop

NAMES = [
    gettext_noop("Housing"),
    gettext_noop("Emergency shelter"),
    gettext_noop("Transitional housing"),
    gettext_noop("Long-term housing"),
    gettext_noop("Crisis and safety"),
    gettext_noop("Crisis intervention / 24-7 hotline"),
    gettext_noop("Safety planning"),
    gettext_noop("Case management"),
    gettext_noop("Legal services"),
    gettext_noop("Civil legal services"),
    gettext_noop("Criminal legal advocacy"),
    gettext_noop("Immigration legal services"),
    gettext_noop("T visa"),
    gettext_noop("U visa"),
    gettext_noop("Continued Presence / HHS certification"),
    gettext_noop("Health"),
    gettext_noop("Medical care"),
    gettext_noop("Dental care"),
    gettext_noop("Mental health"),
    gettext_noop("Substance use treatment"),
    gettext_noop("Language and education"),
    gettext_noop("Interpretation / translation"),
    gettext_noop("Education / ESL"),
    gettext_noop("Work and benefits"),
    gettext_noop("Job training / employment"),
    gettext_noop("Public benefits assistance"),
    gettext_noop("Daily needs"),
    gettext_noop("Basic needs (food, clothing)"),
    gettext_noop("Transportation"),
    gettext_noop("Childcare"),
    gettext_noop("Family and return"),
    gettext_noop("Family reunification"),
    gettext_noop("Repatriation"),
]
