-- Keyword search (matching.search): the best service-at-location documents for the words in %(q)s, for one kind
-- of viewer. The words are unaccented and parsed in the english, spanish and simple configurations (search_query.sql).
-- First every word must be in a document's text; when none holds them all (%(any_word)s), a document matches by
-- any of the words, or by its names being close to the words (pg_trgm word similarity above the session's
-- pg_trgm.word_similarity_threshold: typos in a name). Relevance: the weighted text rank (names 1.0, needs 0.4,
-- descriptions 0.2, city and languages 0.1), plus the names' similarity in the second pass; near a place, up to
-- half of it is taken away linearly to the edge of the radius. The query is computed once (MATERIALIZED).
WITH q AS MATERIALIZED (
    {{query}}
),
found AS (
    SELECT DISTINCT ON (service_at_location_id) *
    FROM (
        SELECT d.service_at_location_id, d.service_id, d.location_id, d.organization_id,
               ts_rank('{0.1, 0.2, 0.4, 1.0}', {{text}}, q.query) AS relevance, {{distance}} AS distance_m
        FROM q, matching_searchdocument d
        WHERE {{matches}} AND {{within}}
        UNION ALL
        SELECT d.service_at_location_id, d.service_id, d.location_id, d.organization_id,
               ts_rank('{0.1, 0.2, 0.4, 1.0}', {{text}}, q.query) + word_similarity(q.words, d.names),
               {{distance}}
        FROM q, matching_searchdocument d
        WHERE %(any_word)s::boolean AND q.words <%% d.names AND {{within}}
    ) either
    ORDER BY service_at_location_id, relevance DESC
)
SELECT found.*, relevance * {{nearness}} AS score
FROM found
ORDER BY score DESC, distance_m, service_at_location_id
LIMIT %(limit)s
