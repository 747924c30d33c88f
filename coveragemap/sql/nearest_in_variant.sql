-- For every county: the distance from its centre to the nearest of coverage_variant_points (variant_points.sql),
-- one walk of that table's GiST index each.
WITH county AS MATERIALIZED (  -- each centre once, not once per walk
{{counties}}
)
SELECT county.fips,
       (SELECT ST_Distance(p.point, county.centre)
        FROM coverage_variant_points p
        ORDER BY p.point <-> county.centre
        LIMIT 1) AS distance_m
FROM county
