-- Organizations with sites closer than %(near_m)s metres (their exact points: one building), and how close.
SELECT DISTINCT ON (LEAST(x.organization_id, y.organization_id), GREATEST(x.organization_id, y.organization_id))
       LEAST(x.organization_id, y.organization_id), GREATEST(x.organization_id, y.organization_id),
       round(ST_Distance(x.point, y.point)::numeric, 1)::text
  FROM providers_location x
  JOIN providers_location y ON y.organization_id <> x.organization_id AND ST_DWithin(x.point, y.point, %(near_m)s)
 WHERE x.point IS NOT NULL AND (%(ids)s::uuid[] IS NULL OR x.organization_id = ANY(%(ids)s::uuid[]))
 ORDER BY LEAST(x.organization_id, y.organization_id), GREATEST(x.organization_id, y.organization_id),
          ST_Distance(x.point, y.point)
