-- Type-ahead (matching.search.suggest): organization and service names with words starting with what was typed
-- (%(query)s: each typed word as a prefix, 'cath':* & 'char':*), each name once, nearest first near a place
-- (then the shortest). The GIN index of the names' words answers the prefixes; near a place the spatial index
-- narrows them first. At most %(candidates)s documents are read, whatever the number of matches (a common prefix
-- like "cen" names thousands): a type-ahead needs a few good names fast, not all of them.
WITH q AS MATERIALIZED (
    SELECT to_tsquery('simple', %(query)s) AS query
),
candidate AS (
    SELECT d.service_at_location_id, {{distance}} AS distance_m
    FROM q, matching_searchdocument d
    WHERE d.name_words @@ q.query AND {{within}}
    LIMIT %(candidates)s
)
SELECT card.organization_name, card.service_name,
       to_tsvector('simple', lower(unaccent(card.organization_name))) @@ q.query AS organization_matches,
       to_tsvector('simple', lower(unaccent(card.service_name))) @@ q.query AS service_matches,
       min(c.distance_m) AS distance_m
FROM q, candidate c
JOIN matching_offercard card ON card.service_at_location_id = c.service_at_location_id
GROUP BY card.organization_name, card.service_name, q.query
ORDER BY distance_m, length(card.organization_name) + length(card.service_name), card.organization_name
LIMIT %(limit)s
