-- Type-ahead (matching.search.suggest): organization and service names with a word starting with the typed
-- prefix (%(pattern)s, a regular expression over the unaccented, lower-cased names, which the trigram index
-- answers), each name once: whole-name prefixes first, then the nearest (near a place) or the shortest.
SELECT card.organization_name, card.service_name,
       bool_or(lower(unaccent(card.organization_name)) ~ %(pattern)s) AS organization_matches,
       bool_or(lower(unaccent(card.service_name)) ~ %(pattern)s) AS service_matches,
       bool_or(d.names ~ %(start)s) AS starts, min({{distance}}) AS distance_m
FROM matching_searchdocument d
JOIN matching_offercard card ON card.service_at_location_id = d.service_at_location_id
WHERE d.names ~ %(pattern)s
GROUP BY card.organization_name, card.service_name
ORDER BY starts DESC, distance_m, length(card.organization_name) + length(card.service_name)
LIMIT %(limit)s
