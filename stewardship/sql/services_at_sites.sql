-- The services offered at sites, with their names, and whether the site has a point; with %(sites)s, at these
-- sites only.
SELECT o.location_id, s.id, s.name, s.alternate_name, l.point IS NOT NULL
  FROM providers_serviceatlocation o
  JOIN providers_service s ON s.id = o.service_id
  JOIN providers_location l ON l.id = o.location_id
 WHERE %(sites)s::uuid[] IS NULL OR o.location_id = ANY(%(sites)s::uuid[])
