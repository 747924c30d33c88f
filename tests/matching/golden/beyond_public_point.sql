-- The nearest offers beyond the radius of some needs, with what ranking and the answer need of each. match.sql
-- already answers this for needs nothing it found meets; this is for needs that only the checks made after it
-- (open now, a virtual or own site left out) leave unmet.
WITH q AS (
    SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
)
SELECT 'beyond' AS kind, c.offer_id, q.requested, c.distance_m, FALSE AS covers, NULL::text AS area,
       (c.f).service_id,
       (c.f).location_id,
       (c.f).organization_id,
       (c.f).is_confidential,
       (c.f).location_type,
       (c.f).latitude,
       (c.f).longitude,
       (c.f).public_latitude,
       (c.f).public_longitude,
       (c.f).time_zone,
       (c.f).open_24_7,
       (c.f).accepting_referrals,
       (c.f).beds_total,
       (c.f).beds_available,
       (c.f).last_verified_on,
       (c.f).interpretation,
       (c.f).lgbtq_specific,
       (c.f).service_needs::text,
       (c.f).languages,
       (c.f).hours::text,
       card.*
FROM q
CROSS JOIN LATERAL (
    -- The k nearest eligible match index rows of one need (q.need_id): one walk of the composite
    -- (need, citizenship, public_point) GiST index. need_id and citizenship are the index's key columns, so
    -- they are index conditions; the other conditions are tested on each row the walk reaches.
    -- The inner LIMIT is a constant so that the generic plan is the index walk: with only a parameter,
    -- the planner assumes a tenth of the need's rows are wanted, and reading all of them through the
    -- btree on need_id and sorting looked cheaper (docs/matching.md). The outer LIMIT stops the walk
    -- at k rows; its ORDER BY is the walk's own order, so it adds no sort.
    SELECT offer_id, distance_m, f
    FROM (SELECT mc.service_at_location_id AS offer_id,
                 ST_Distance(mc.public_point, %(origin)s::geography) AS distance_m,
                 mc.public_point <-> %(origin)s::geography AS nearness, mc AS f
          FROM matching_matchcandidate mc
          WHERE mc.need_id = q.need_id
            AND mc.citizenship <> %(citizenship_excluded)s::smallint
            AND mc.public_point IS NOT NULL
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
    LIMIT %(beyond_k)s
) c
LEFT JOIN LATERAL (
    SELECT * FROM matching_offercard WHERE service_at_location_id = c.offer_id OFFSET 0
) card ON TRUE
