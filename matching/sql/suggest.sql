-- Type-ahead (matching.search.suggest): organization and service names with words starting with what was typed
-- (%(query)s: each typed word as a prefix, 'cath':* & 'char':*), each name once, nearest first near a place
-- (then the shortest). The candidates are found in steps that bound the work (matching.search._suggest_steps):
-- - "nearest" (suggest_first.sql): the documents nearest the place (from search_suggest_nearest alone; without a
--   place, the first stored) are read, as many as the names' word counts say a common prefix ("cen", "ser") needs,
--   and those whose names match kept, where the text's index would first collect every match in the country;
-- - "anywhere" (suggest_indexed.sql): the names' word index finds the matches, all of a prefix few documents hold,
--   or, for more names than the nearest hold, some of a prefix not too common. At most %(candidates)s documents.
WITH q AS MATERIALIZED (
    SELECT to_tsquery('simple', %(query)s) AS query
),
candidate AS (
{{candidates}}
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
