-- Keyword search (matching.search): the best service-at-location documents for a query, for one kind of viewer.
-- %(query)s is one of search_query.sql's tsqueries: every word first; with %(any_word)s any word, and also the
-- documents holding the names' words close to the typed ones (%(close)s, from search_close.sql: typos in a name). Relevance: the weighted text rank (names 1.0, needs 0.4,
-- descriptions 0.2, city and languages 0.1), plus the names' similarity in the second pass; near a place, up to
-- half of it is taken away linearly to the edge of the radius. At most `candidates` matches of each kind are read
-- and ranked (in storage order), so a word common across the country costs what a rare one
-- does; the lists and matching still keep every match (matching.search.matching), unranked after these.
WITH found AS (
    SELECT DISTINCT ON (service_at_location_id) *
    FROM (
        (SELECT d.service_at_location_id, d.service_id, d.location_id, d.organization_id,
                ts_rank('{0.1, 0.2, 0.4, 1.0}', {{text}}, %(query)s::tsquery) AS relevance, {{distance}} AS distance_m
         FROM matching_searchdocument d
         WHERE {{matches}} AND {{within}}
         LIMIT %(candidates)s)
        UNION ALL
        (SELECT d.service_at_location_id, d.service_id, d.location_id, d.organization_id,
                ts_rank('{0.1, 0.2, 0.4, 1.0}', {{text}}, %(query)s::tsquery) + word_similarity(%(words)s::text, d.names),
                {{distance}}
         FROM matching_searchdocument d
         WHERE %(any_word)s::boolean AND {{close}} AND {{within}}
         LIMIT %(candidates)s)
    ) either
    ORDER BY service_at_location_id, relevance DESC
)
SELECT found.*, relevance * {{nearness}} AS score
FROM found
ORDER BY score DESC, distance_m, service_at_location_id
LIMIT %(limit)s
