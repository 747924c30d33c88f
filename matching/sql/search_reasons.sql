-- What matched in each of the given documents (matching.search.explain): their names, their needs' words, their
-- descriptions (withheld text only for callers who search it), their city and languages.
WITH q AS MATERIALIZED (
    SELECT %(words)s::text AS words, %(query)s::tsquery AS query
)
SELECT d.service_at_location_id,
       ts_filter(d.document, '{a}') @@ q.query AS in_names,
       word_similarity(q.words, d.names) AS name_similarity,
       ts_filter(d.document, '{b}') @@ q.query AS in_needs,
       ts_filter({{text}}, '{c}') @@ q.query AS in_text,
       ts_filter(d.document, '{d}') @@ q.query AS in_place
FROM q, matching_searchdocument d
WHERE d.service_at_location_id = ANY(%(offers)s::uuid[])
