-- suggest.sql's candidates, "first": the matches among the documents nearest the place (or first stored).
SELECT n.service_at_location_id, n.distance_m
FROM q, (
    SELECT d.service_at_location_id, d.name_words, {{distance}} AS distance_m
    FROM matching_searchdocument d
    {{order}}
    LIMIT %(sample)s
) n
WHERE n.name_words @@ q.query AND {{within}}
LIMIT %(candidates)s
