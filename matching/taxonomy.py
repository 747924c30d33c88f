"""The needs taxonomy and language names as matching reads them: the registry's vocabularies, read once per
process (providers.vocabulary)."""

from providers.vocabulary import Vocabulary as Taxonomy
from providers.vocabulary import numbers, vocabulary

__all__ = ["Taxonomy", "numbers", "vocabulary"]
