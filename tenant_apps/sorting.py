"""How names sort for French users: "Élodie" between "Eden" and "Emma", not after "Zoé".

The databases use the C collation; columns that people read in sorted lists carry
PostgreSQL's ICU French collation instead (deterministic, so LIKE and indexes still work)."""

FRENCH = "fr-FR-x-icu"
