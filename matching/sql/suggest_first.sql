-- suggest.sql's candidates, "nearest": the matches among the %(sample)s documents nearest the place (by distance in
-- degrees, read from search_suggest_nearest alone; without a place, the first stored). Distances on the sphere are
-- measured for the matches only.
SELECT n.service_at_location_id, {{distance}} AS distance_m
FROM q, (
    SELECT d.service_at_location_id, d.name_words, d.public_point
    FROM matching_searchdocument d
    {{order}}
    LIMIT %(sample)s
) n
WHERE n.name_words @@ q.query
LIMIT %(candidates)s
