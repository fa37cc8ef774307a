"""Taxonomy: industries (IPTC Media Topics), regions (ISO 3166) and languages (BCP 47)."""

from newswire.taxonomy.industries import (
    Industry,
    get_industry,
    industries,
    industry_descendants,
    industry_tree,
    is_industry,
)
from newswire.taxonomy.languages import (
    LANGUAGES,
    babel_locale,
    is_wire_language,
    language_name,
    normalize_language,
    pick_label,
    wire_language,
)
from newswire.taxonomy.regions import (
    REGION_GROUPS,
    countries_by_name,
    expand_region,
    is_region,
    normalize_region,
    region_name,
)

__all__ = [
    "LANGUAGES",
    "REGION_GROUPS",
    "Industry",
    "babel_locale",
    "countries_by_name",
    "expand_region",
    "get_industry",
    "industries",
    "industry_descendants",
    "industry_tree",
    "is_industry",
    "is_region",
    "is_wire_language",
    "language_name",
    "normalize_language",
    "normalize_region",
    "pick_label",
    "region_name",
    "wire_language",
]
