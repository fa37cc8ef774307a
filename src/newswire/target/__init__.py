"""Target stage: match a release against every subscription, as a reverse search.

Pure code: no database, no network. `TargetingIndex` holds the subscriptions compiled into
bitmaps and query anchors (see `index`); `brute_force` checks them one by one and is the
reference the index is tested against; `facts_match` is the definition of a match.

Matching semantics. A subscription (`Criteria`) matches a release (`ReleaseFacts`) when
every non-empty dimension intersects the release, no exclusion hits, and the query, if any,
holds:

* industries: the release's industries plus all their ancestors. A subscriber to "energy"
  gets a "wind-power" release; a subscriber to "wind-power" does not get a release tagged
  only "energy".
* regions: both sides are expanded to countries (groups such as EU, ASEAN, DACH by their
  members), so a subscriber to DE gets a release tagged EU, and a subscriber to EU gets one
  tagged DE. A release with no regions matches only subscriptions with no region filter.
* languages: the release's languages (the original and its editions) plus `language`;
  tags compare by wire language (pt-BR counts as pt, zh-TW as zh-Hant), else by their
  canonical BCP 47 form.
* issuers: the release's issuer is one of them.
* exclusions: excluded industries expand like industries (excluding "energy" excludes a
  "wind-power" release), excluded regions like regions, excluded issuers by id. An
  exclusion beats any inclusion.
* query: a boolean keyword query (AND, OR, NOT, parentheses, "quoted phrases"; see
  `newswire.domain.query`) over the headline and the body. Terms match whole words, case- and
  accent-insensitively (Unicode NFKC + case folding; Latin diacritics and Arabic vowel
  marks ignored); a phrase matches consecutive words, ignoring punctuation between them;
  CJK (Chinese, Japanese, Korean) and Thai, written without spaces, match as substrings
  (consecutive characters). No term matches across headline and body. See
  `newswire.domain.tokens`.

`TargetingIndex.match` returns the matching subscription ids as a pyroaring BitMap: a set
of ints that iterates in ascending order (``list(...)``/``set(...)`` convert it).

An empty dimension means "any". Codes in criteria are validated (ValueError naming the
field); codes in release facts are taken leniently (unknown ones match only themselves).

Design: docs/target.md."""

from newswire.target.criteria import Criteria, ReleaseFacts
from newswire.target.index import TargetingIndex
from newswire.target.oracle import brute_force, facts_match

__all__ = [
    "Criteria",
    "ReleaseFacts",
    "TargetingIndex",
    "brute_force",
    "facts_match",
]
