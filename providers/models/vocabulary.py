"""The vocabularies listings are described with: needs, populations (eligibility), languages."""

from django.db import models


class NeedTerm(models.Model):
    """A term of the needs taxonomy (shipped as data in a migration). Parents group the checklist."""

    code = models.SlugField(max_length=64, unique=True, help_text="Stable code, e.g. 'immigration-legal'.")
    name = models.CharField(max_length=120)
    description = models.TextField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Other words callers use for this need, English and Spanish ("asylum asilo abogado"): keyword search finds
    # the need's services by them.
    search_words = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class Population(models.Model):
    """An eligibility attribute: who a service is for.

    Within one dimension the values are alternatives: a service that lists none of a dimension's values
    serves everyone on that dimension; one that lists some serves only those.
    """

    class Dimension(models.TextChoices):
        AGE = "age", "Age group"
        GENDER = "gender", "Gender"
        TRAFFICKING_TYPE = "trafficking_type", "Type of trafficking"
        CITIZENSHIP = "citizenship", "Citizenship"
        IDENTITY = "identity", "Identity-specific"

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["dimension", "code"]

    def __str__(self) -> str:
        return self.code


class Language(models.Model):
    """An ISO 639-1 language (loaded in a migration from pycountry)."""

    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 639-1 code, e.g. 'es'.")
    name = models.CharField(max_length=100)
    # Its own name and its Spanish name ("espanol castellano"), for keyword search ("habla espanol").
    search_words = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
