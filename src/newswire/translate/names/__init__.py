"""Names in a source sentence and their counterparts in its translation; missing subjects
(the translate stage; the QA gate's name and subject rules use them, `newswire.translate.qa.names`).

No word alignment and no tagger: crude, explainable heuristics that catch what MT engines
actually drop. Read in this order: `recognize` (the names in a source sentence), `exonyms`
(country and language names in every language, from Babel's CLDR data), `match` (a name's
counterpart in a translation: spelling variants, exonyms), `subject` (a target sentence with
a verb and an object but no subject).
"""
