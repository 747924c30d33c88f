-- The type-ahead's query (matching.search.suggest): each typed word as a prefix of a word of the names
-- ("catholic char" -> 'catholic':* & 'char':*), folded as the names are (unaccent, lower-case); how many documents
-- hold the rarest typed word's prefix (the names' word counts, matching_searchword: a document counted once per word
-- of its names starting so, so at least as many as hold it); and how many documents there are (the planner's count).
WITH typed AS (
    SELECT w FROM regexp_split_to_table(lower(unaccent(%(typed)s)), '[^[:alnum:]]+') AS w WHERE w <> ''
)
SELECT
    (SELECT string_agg(quote_literal(w) || ':*', ' & ') FROM typed),
    (SELECT min(held.documents) FROM typed, LATERAL (
        SELECT coalesce(sum(s.documents), 0) AS documents FROM matching_searchword s WHERE s.word LIKE typed.w || '%%'
    ) held),
    (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'matching_searchdocument'::regclass)
