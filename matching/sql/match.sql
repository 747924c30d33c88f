-- Every offer a match request can use, and what ranking and the answer need of each, in one statement:
-- near:     for every requested need (expanded to its sub-terms), the k nearest eligible index rows (near.sql,
--           walk.sql; for provider staff also by the exact point of their own sites, which they see exactly);
-- covering: the services whose service area covers the origin (statewide hotlines, virtual clinics);
-- beyond:   for needs nothing found in near or covering meets within the radius, the nearest few of the walks'
--           rows beyond it (the walks are not limited to the radius, so they found them already);
-- then one row per offer in reach (kind 'reach': its nearest distance, whether an area covers the origin and
-- the area's name) and per offer beyond (kind 'beyond', with the need it was found for), each with the facts
-- of its index row (f) and its offer card (one lookup by key; OFFSET 0 keeps the subquery apart, otherwise the
-- generic plan of a small registry hashes the whole card table).
WITH q AS (
    SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
),
near AS (
{{near}}
),
covering AS (
    SELECT mc.service_at_location_id AS offer_id, q.requested, sa.name AS area, mc AS f
    FROM q
    JOIN matching_matchcandidate mc ON mc.need_id = q.need_id
    JOIN providers_servicearea sa ON sa.service_id = mc.service_id
    WHERE %(include_virtual)s::boolean
      AND ST_Covers(sa.extent, %(origin)s::geometry)
      AND {{conditions}}
),
beyond AS (
    SELECT offer_id, requested, distance_m
    FROM (SELECT n.offer_id, n.requested, n.distance_m,
                 row_number() OVER (PARTITION BY n.need_id, n.requested ORDER BY n.distance_m) AS nth
          FROM near n
          WHERE NOT EXISTS (SELECT 1 FROM near m WHERE m.requested = n.requested AND m.distance_m <= %(radius_m)s)
            AND NOT EXISTS (SELECT 1 FROM covering cv WHERE cv.requested = n.requested)) ranked
    WHERE nth <= %(beyond_k)s
),
offers AS (
    SELECT 'reach' AS kind, offer_id, NULL::text AS requested, min(distance_m) AS distance_m,
           bool_or(covers) AS covers, min(area) AS area
    FROM (SELECT offer_id, distance_m, FALSE AS covers, NULL::text AS area
          FROM near WHERE distance_m <= %(radius_m)s
          UNION ALL
          SELECT offer_id, NULL, TRUE, area FROM covering) found
    GROUP BY offer_id
    UNION ALL
    SELECT 'beyond', offer_id, requested, distance_m, FALSE, NULL FROM beyond
),
-- An offer's index rows are derived together, so whichever of them a walk or the covering join found holds the
-- same facts.
facts AS (
    SELECT DISTINCT ON (offer_id) offer_id, f
    FROM (SELECT offer_id, f FROM near UNION ALL SELECT offer_id, f FROM covering) found
    ORDER BY offer_id
)
SELECT o.kind, o.offer_id, o.requested, o.distance_m, o.covers, o.area,
       {{facts}}
FROM offers o
JOIN facts ON facts.offer_id = o.offer_id
LEFT JOIN LATERAL (
    SELECT * FROM matching_offercard WHERE service_at_location_id = o.offer_id OFFSET 0
) card ON TRUE
