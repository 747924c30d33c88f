"""The needs taxonomy, eligibility/population attributes and ISO 639-1 languages, shipped as data.

Codes are stable identifiers used by the API, referrals and HSDS mappings: never rename one here; add a
new migration to add terms or retire them.
"""

from django.db import migrations

# (code, name, description, parent code)
NEEDS = [
    ("housing", "Housing", "Somewhere safe to stay, from tonight to the long term.", None),
    ("emergency-shelter", "Emergency shelter", "A bed tonight in a safe shelter or safe house.", "housing"),
    ("transitional-housing", "Transitional housing", "Housing for months while a survivor stabilizes.", "housing"),
    ("long-term-housing", "Long-term housing", "Permanent or long-term housing, rental assistance.", "housing"),
    ("crisis-safety", "Crisis and safety", "Immediate help and planning for safety.", None),
    (
        "crisis-hotline",
        "Crisis intervention / 24-7 hotline",
        "Someone to talk to now, day or night; crisis response.",
        "crisis-safety",
    ),
    ("safety-planning", "Safety planning", "Planning to stay safe from traffickers and abusers.", "crisis-safety"),
    (
        "case-management",
        "Case management",
        "A case manager who coordinates services, advocacy and follow-up.",
        "crisis-safety",
    ),
    ("legal", "Legal services", "Help from lawyers and legal advocates.", None),
    (
        "legal-civil",
        "Civil legal services",
        "Civil legal help: protective orders, family law, wage claims, record vacatur, civil suits.",
        "legal",
    ),
    (
        "legal-criminal",
        "Criminal legal advocacy",
        "Help as a victim or witness in criminal proceedings, and defense against charges tied to trafficking.",
        "legal",
    ),
    (
        "immigration-legal",
        "Immigration legal services",
        "Immigration relief for foreign-national survivors.",
        "legal",
    ),
    ("t-visa", "T visa", "T nonimmigrant status for trafficking victims (form I-914).", "immigration-legal"),
    (
        "u-visa",
        "U visa",
        "U nonimmigrant status for crime victims (form I-918 with law-enforcement certification, Supplement B).",
        "immigration-legal",
    ),
    (
        "continued-presence",
        "Continued Presence / HHS certification",
        "Requesting Continued Presence through federal law enforcement (1 year, renewable) and the HHS "
        "certification and benefits it unlocks.",
        "immigration-legal",
    ),
    ("health", "Health", "Care for body and mind.", None),
    ("medical", "Medical care", "Primary and urgent medical care, forensic exams.", "health"),
    ("dental", "Dental care", "Dental care.", "health"),
    ("mental-health", "Mental health", "Counseling, trauma therapy, psychiatric care.", "health"),
    ("substance-use", "Substance use treatment", "Treatment and recovery support for substance use.", "health"),
    ("language-education", "Language and education", "Interpretation, translation and learning.", None),
    (
        "interpretation",
        "Interpretation / translation",
        "Interpreters and translation of documents.",
        "language-education",
    ),
    ("education-esl", "Education / ESL", "English classes, GED, schooling.", "language-education"),
    ("work-benefits", "Work and benefits", "Income, work and public benefits.", None),
    ("job-training", "Job training / employment", "Job training, placement and work authorization help.", "work-benefits"),
    (
        "public-benefits",
        "Public benefits assistance",
        "Help applying for public benefits (SNAP, Medicaid, cash assistance, refugee-equivalent benefits).",
        "work-benefits",
    ),
    ("daily-needs", "Daily needs", "What it takes to get through the day.", None),
    ("basic-needs", "Basic needs (food, clothing)", "Food, clothing, hygiene items, phones.", "daily-needs"),
    ("transportation", "Transportation", "Rides, transit passes, travel to services.", "daily-needs"),
    ("childcare", "Childcare", "Care for children while a parent gets help.", "daily-needs"),
    ("family-return", "Family and return", "Reuniting with family or returning home.", None),
    (
        "family-reunification",
        "Family reunification",
        "Bringing family members to safety, including derivative T visas for family.",
        "family-return",
    ),
    ("repatriation", "Repatriation", "Safe return to the country of origin, when the survivor chooses it.", "family-return"),
]

# (code, name, dimension, description)
POPULATIONS = [
    ("adults", "Adults (18+)", "age", "Serves adults."),
    ("minors", "Minors (under 18)", "age", "Serves children and youth under 18."),
    ("women", "Women", "gender", "Serves women."),
    ("men", "Men", "gender", "Serves men."),
    ("transgender-nonbinary", "Transgender and non-binary people", "gender", "Serves transgender and non-binary people."),
    ("lgbtq", "LGBTQ+-specific", "identity", "A program designed for LGBTQ+ survivors."),
    ("sex-trafficking", "Sex trafficking survivors", "trafficking_type", "Serves survivors of sex trafficking."),
    ("labor-trafficking", "Labor trafficking survivors", "trafficking_type", "Serves survivors of labor trafficking."),
    ("foreign-nationals", "Foreign nationals", "citizenship", "Serves foreign-national survivors."),
    (
        "us-citizens-lpr",
        "US citizens and permanent residents",
        "citizenship",
        "Serves US citizens and lawful permanent residents.",
    ),
]


def load(apps, schema_editor):
    NeedTerm = apps.get_model("providers", "NeedTerm")
    Population = apps.get_model("providers", "Population")
    Language = apps.get_model("providers", "Language")

    by_code = {}
    for order, (code, name, description, parent) in enumerate(NEEDS):
        by_code[code] = NeedTerm.objects.create(
            code=code, name=name, description=description, parent=by_code.get(parent), sort_order=order
        )
    for code, name, dimension, description in POPULATIONS:
        Population.objects.create(code=code, name=name, dimension=dimension, description=description)

    import pycountry

    Language.objects.bulk_create(
        [
            Language(code=lang.alpha_2, name=lang.name.split(";")[0].strip())
            for lang in pycountry.languages
            if hasattr(lang, "alpha_2")
        ]
    )


def unload(apps, schema_editor):
    for name in ("NeedTerm", "Population", "Language"):
        model = apps.get_model("providers", name)
        if name == "NeedTerm":
            model.objects.filter(parent__isnull=False).delete()
        model.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
