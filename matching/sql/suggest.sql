-- Type-ahead (matching.search.suggest): names of organizations and services with a word starting with the typed
-- prefix (%(pattern)s, a regular expression the trigram index answers), whole-name prefixes first, then the
-- nearest (near a place) or the shortest; a few rows per name at most are read.
SELECT card.organization_name, card.service_name, d.names ~ %(start)s AS starts, {{distance}} AS distance_m
FROM matching_searchdocument d
JOIN matching_offercard card ON card.service_at_location_id = d.service_at_location_id
WHERE d.names ~ %(pattern)s
ORDER BY starts DESC, distance_m, length(d.names)
LIMIT %(limit)s
