-- Organizations sharing a phone number (their own, a service's or a site's), at most %(at_most)s to a number (more
-- is a 211 line); with %(ids)s, only pairs with one of these.
WITH owned AS (
    SELECT p.number::text AS value, COALESCE(p.organization_id, s.organization_id, l.organization_id) AS org
      FROM providers_phone p
      LEFT JOIN providers_service s ON s.id = p.service_id
      LEFT JOIN providers_location l ON l.id = p.location_id
),
shared AS (
    SELECT value, array_agg(DISTINCT org) AS orgs FROM owned GROUP BY value
    HAVING count(DISTINCT org) BETWEEN 2 AND %(at_most)s
)
SELECT a, b, value FROM shared, unnest(orgs) a, unnest(orgs) b
 WHERE a < b AND (%(ids)s::uuid[] IS NULL OR a = ANY(%(ids)s::uuid[]) OR b = ANY(%(ids)s::uuid[]))
