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
-- Each name that matches (not one matched through an alternate name only), once, then the limit.
SELECT kind, name, min(distance_m) AS distance_m
FROM (
    SELECT 'organization' AS kind, card.organization_name AS name, c.distance_m
    FROM q, candidate c
    JOIN matching_offercard card ON card.service_at_location_id = c.service_at_location_id
    WHERE to_tsvector('simple', lower(unaccent(card.organization_name))) @@ q.query
    UNION ALL
    SELECT 'service', card.service_name, c.distance_m
    FROM q, candidate c
    JOIN matching_offercard card ON card.service_at_location_id = c.service_at_location_id
    WHERE to_tsvector('simple', lower(unaccent(card.service_name))) @@ q.query
) named
GROUP BY kind, name
ORDER BY distance_m, length(name), name
LIMIT %(limit)s
