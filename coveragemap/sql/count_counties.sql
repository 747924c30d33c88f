-- How many counties a map is computed for (those of counties.sql).
SELECT count(*) FROM (
{{counties}}
) county
