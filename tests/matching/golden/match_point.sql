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
    -- The walk of every requested need (and sub-term) in q, with the need it was found for.
    SELECT q.need_id, q.requested, c.*
    FROM q, LATERAL (
        -- The k nearest eligible match index rows of one need (q.need_id): one walk of the composite
        -- (need, citizenship, point) GiST index. need_id and citizenship are the index's key columns, so
        -- they are index conditions; the other conditions are tested on each row the walk reaches.
        -- The inner LIMIT is a constant so that the generic plan is the index walk: with only a parameter,
        -- the planner assumes a tenth of the need's rows are wanted, and reading all of them through the
        -- btree on need_id and sorting looked cheaper (docs/matching.md). The outer LIMIT stops the walk
        -- at k rows; its ORDER BY is the walk's own order, so it adds no sort.
        SELECT offer_id, distance_m, f
        FROM (SELECT mc.service_at_location_id AS offer_id,
                     ST_Distance(mc.point, %(origin)s::geography) AS distance_m,
                     mc.point <-> %(origin)s::geography AS nearness, mc AS f
              FROM matching_matchcandidate mc
              WHERE mc.need_id = q.need_id
                AND mc.citizenship <> %(citizenship_excluded)s::smallint
                AND mc.point IS NOT NULL
                AND (%(age)s::int IS NULL OR ((mc.min_age IS NULL OR mc.min_age <= %(age)s::int) AND (mc.max_age IS NULL OR mc.max_age >= %(age)s::int)))
                AND (mc.genders = 0 OR mc.genders & %(genders)s::int = %(genders)s::int)
                AND (mc.trafficking_types = 0 OR mc.trafficking_types & %(trafficking_types)s::int = %(trafficking_types)s::int)
                AND (mc.citizenship = 0 OR mc.citizenship & %(citizenship)s::int = %(citizenship)s::int)
                AND (NOT %(exclude_lgbtq)s::boolean OR NOT mc.lgbtq_specific)
                AND (NOT %(language_required)s::boolean OR mc.languages && %(languages)s::varchar[])
                AND (NOT %(accepting_referrals)s::boolean OR mc.accepting_referrals)
                AND (%(accessibility)s::varchar[] IS NULL OR mc.accessibility @> %(accessibility)s::varchar[])
                AND (%(include_virtual)s::boolean OR NOT mc.is_virtual)
                AND (%(keywords)s::tsquery IS NULL OR mc.service_at_location_id = ANY(%(offers)s::uuid[]) OR EXISTS (SELECT FROM matching_searchdocument d WHERE d.service_at_location_id = mc.service_at_location_id AND (d.document @@ %(keywords)s::tsquery OR (%(keywords_withheld)s::boolean AND d.withheld @@ %(keywords)s::tsquery))))
              ORDER BY nearness
              LIMIT 100) walk
        ORDER BY nearness
        LIMIT %(k)s
    ) c
),
covering AS (
    SELECT mc.service_at_location_id AS offer_id, q.requested, sa.name AS area, mc AS f
    FROM q
    JOIN matching_matchcandidate mc ON mc.need_id = q.need_id
    JOIN providers_servicearea sa ON sa.service_id = mc.service_id
    WHERE %(include_virtual)s::boolean
      AND ST_Covers(sa.extent, %(origin)s::geometry)
      AND (%(age)s::int IS NULL OR ((mc.min_age IS NULL OR mc.min_age <= %(age)s::int) AND (mc.max_age IS NULL OR mc.max_age >= %(age)s::int)))
      AND (mc.genders = 0 OR mc.genders & %(genders)s::int = %(genders)s::int)
      AND (mc.trafficking_types = 0 OR mc.trafficking_types & %(trafficking_types)s::int = %(trafficking_types)s::int)
      AND (mc.citizenship = 0 OR mc.citizenship & %(citizenship)s::int = %(citizenship)s::int)
      AND (NOT %(exclude_lgbtq)s::boolean OR NOT mc.lgbtq_specific)
      AND (NOT %(language_required)s::boolean OR mc.languages && %(languages)s::varchar[])
      AND (NOT %(accepting_referrals)s::boolean OR mc.accepting_referrals)
      AND (%(accessibility)s::varchar[] IS NULL OR mc.accessibility @> %(accessibility)s::varchar[])
      AND (%(include_virtual)s::boolean OR NOT mc.is_virtual)
      AND (%(keywords)s::tsquery IS NULL OR mc.service_at_location_id = ANY(%(offers)s::uuid[]) OR EXISTS (SELECT FROM matching_searchdocument d WHERE d.service_at_location_id = mc.service_at_location_id AND (d.document @@ %(keywords)s::tsquery OR (%(keywords_withheld)s::boolean AND d.withheld @@ %(keywords)s::tsquery))))
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
       (facts.f).service_id,
       (facts.f).location_id,
       (facts.f).organization_id,
       (facts.f).is_confidential,
       (facts.f).location_type,
       (facts.f).latitude,
       (facts.f).longitude,
       (facts.f).public_latitude,
       (facts.f).public_longitude,
       (facts.f).time_zone,
       (facts.f).open_24_7,
       (facts.f).accepting_referrals,
       (facts.f).beds_total,
       (facts.f).beds_available,
       (facts.f).last_verified_on,
       (facts.f).interpretation,
       (facts.f).lgbtq_specific,
       (facts.f).service_needs::text,
       (facts.f).languages,
       (facts.f).hours::text,
       card.*
FROM offers o
JOIN facts ON facts.offer_id = o.offer_id
LEFT JOIN LATERAL (
    SELECT * FROM matching_offercard WHERE service_at_location_id = o.offer_id OFFSET 0
) card ON TRUE
