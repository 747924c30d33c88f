-- The nearest offers beyond the radius of some needs, with what ranking and the answer need of each. match.sql
-- already answers this for needs nothing it found meets; this is for needs that only the checks made after it
-- (open now, a virtual or own site left out) leave unmet.
WITH q AS (
    SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
)
SELECT 'beyond' AS kind, c.offer_id, q.requested, c.distance_m, FALSE AS covers, NULL::text AS area,
       (c.f).service_id AS service_id,
       (c.f).location_id AS location_id,
       (c.f).organization_id AS organization_id,
       (c.f).is_confidential AS is_confidential,
       (c.f).location_type AS location_type,
       (c.f).latitude AS latitude,
       (c.f).longitude AS longitude,
       (c.f).public_latitude AS public_latitude,
       (c.f).public_longitude AS public_longitude,
       (c.f).time_zone AS time_zone,
       (c.f).open_24_7 AS open_24_7,
       (c.f).accepting_referrals AS accepting_referrals,
       (c.f).beds_total AS beds_total,
       (c.f).beds_available AS beds_available,
       (c.f).last_verified_on AS last_verified_on,
       (c.f).interpretation AS interpretation,
       (c.f).lgbtq_specific AS lgbtq_specific,
       (c.f).service_needs::text AS service_needs,
       (c.f).languages AS languages,
       (c.f).hours::text AS hours,
       card.service_id AS card_service_id,
       card.organization_id AS card_organization_id,
       card.service_name AS card_service_name,
       card.organization_name AS card_organization_name,
       card.location_name AS card_location_name,
       card.address_type AS card_address_type,
       card.attention AS card_attention,
       card.address_1 AS card_address_1,
       card.address_2 AS card_address_2,
       card.city AS card_city,
       card.region AS card_region,
       card.state_province AS card_state_province,
       card.postal_code AS card_postal_code,
       card.country AS card_country,
       card.site_phone AS card_site_phone,
       card.site_phone_extension AS card_site_phone_extension,
       card.site_phone_type AS card_site_phone_type,
       card.site_phone_is_front_door AS card_site_phone_is_front_door,
       card.service_phone AS card_service_phone,
       card.service_phone_extension AS card_service_phone_extension,
       card.service_phone_type AS card_service_phone_type,
       card.service_phone_is_front_door AS card_service_phone_is_front_door,
       card.organization_phone AS card_organization_phone,
       card.organization_phone_extension AS card_organization_phone_extension,
       card.organization_phone_type AS card_organization_phone_type,
       card.organization_phone_is_front_door AS card_organization_phone_is_front_door
FROM q
CROSS JOIN LATERAL (
    -- The k nearest eligible match index rows of one need (q.need_id): one walk of the composite
    -- (need, citizenship, public_point) GiST index. need_id and citizenship are the index's key columns, so
    -- they are index conditions; the other conditions are tested on each row the walk reaches.
    -- The inner LIMIT is a constant so that the generic plan is the index walk: with only a parameter,
    -- the planner assumes a tenth of the need's rows are wanted, and reading all of them through the
    -- btree on need_id and sorting looked cheaper (a second at 1M rows). The outer LIMIT stops the walk
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
            AND (%(include_virtual)s::boolean OR NOT mc.is_virtual)
          ORDER BY nearness
          LIMIT 100) walk
    ORDER BY nearness
    LIMIT %(beyond_k)s
) c
LEFT JOIN LATERAL (
    SELECT * FROM matching_offercard WHERE service_at_location_id = c.offer_id OFFSET 0
) card ON TRUE
