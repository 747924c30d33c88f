-- Every service of the organizations that have a service offered at no located site (none, or virtual ones only),
-- and whether it is such a one; with %(orgs)s, of these organizations only.
-- (NOT EXISTS, never NOT IN over a subquery: a list too large to hash is searched once per row.)
WITH services AS (
    SELECT s.id, s.organization_id, s.name, s.alternate_name,
           NOT EXISTS (SELECT FROM providers_serviceatlocation o JOIN providers_location l ON l.id = o.location_id
                        WHERE o.service_id = s.id AND l.point IS NOT NULL) AS unplaced
      FROM providers_service s
     WHERE %(orgs)s::uuid[] IS NULL OR s.organization_id = ANY(%(orgs)s::uuid[])
)
SELECT id, organization_id, name, alternate_name, unplaced FROM services
 WHERE organization_id IN (SELECT organization_id FROM services WHERE unplaced)
