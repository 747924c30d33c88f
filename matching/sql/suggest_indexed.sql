-- suggest.sql's candidates, "indexed": the matches the names' word index finds.
SELECT d.service_at_location_id, {{distance}} AS distance_m
FROM q, matching_searchdocument d
WHERE d.name_words @@ q.query AND {{within}}
LIMIT %(candidates)s
