-- suggest.sql's candidates, "anywhere": the matches the names' word index finds.
SELECT d.service_at_location_id, {{distance}} AS distance_m
FROM q, matching_searchdocument d
WHERE d.name_words @@ q.query
LIMIT %(candidates)s
