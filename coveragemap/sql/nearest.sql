-- For every county: the distance from its geometric centre to the nearest site where a service meeting the need
-- (or a term below it: one walk per term, %(need_ids)s) accepts referrals.
-- Each walk is matching's (matching/sql/walk.sql): the composite (need, citizenship, public_point) GiST index
-- walked from the centre, conditions tested on each row it reaches, stopped at the first that passes. Public
-- points: a confidential site counts where the public is told it is, so no county's distance points at it.
-- Virtual sites have no point: they are near no county. (A map in one language or for one age: nearest_in_variant.sql.)
WITH county AS MATERIALIZED (  -- each centre once, not once per walk
{{counties}}
)
SELECT county.fips, nearest.distance_m
FROM county
LEFT JOIN LATERAL (
    SELECT min(walk.distance_m) AS distance_m
    FROM unnest(%(need_ids)s::bigint[]) AS q(need_id)
    CROSS JOIN LATERAL (
        SELECT ST_Distance(mc.public_point, county.centre) AS distance_m
        FROM matching_matchcandidate mc
        WHERE mc.need_id = q.need_id
          AND mc.public_point IS NOT NULL
          AND mc.accepting_referrals
          AND NOT mc.is_virtual
        ORDER BY mc.public_point <-> county.centre
        LIMIT 1
    ) walk
) nearest ON TRUE
