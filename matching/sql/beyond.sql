-- The nearest offers beyond the radius of some needs, with what ranking and the answer need of each. match.sql
-- already answers this for needs nothing it found meets; this is for needs that only the checks made after it
-- (open now, a virtual or own site left out) leave unmet.
WITH q AS (
    SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
)
SELECT 'beyond' AS kind, c.offer_id, q.requested, c.distance_m, FALSE AS covers, NULL::text AS area,
       {{facts}}
FROM q
CROSS JOIN LATERAL (
{{walk}}
) c
LEFT JOIN LATERAL (
    SELECT * FROM matching_offercard WHERE service_at_location_id = c.offer_id OFFSET 0
) card ON TRUE
