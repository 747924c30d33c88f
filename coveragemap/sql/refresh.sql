-- One need's map written again (coveragemap.refresh, in the transaction that deleted its old rows).
INSERT INTO coveragemap_countydistance (map_id, county_fips, distance_m)
SELECT %(map_id)s, n.fips, n.distance_m
FROM (
{{nearest}}
) n
