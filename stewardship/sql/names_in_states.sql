-- The organizations with a site in one of %(states)s, or without a located site, and their names (whom an
-- application from those states may already be).
SELECT o.id, o.name, o.alternate_name, o.website, lower(o.email)
  FROM providers_organization o
 WHERE EXISTS (SELECT FROM providers_location l JOIN providers_address a ON a.location_id = l.id
                WHERE l.organization_id = o.id AND upper(a.state_province) = ANY(%(states)s::varchar[]))
    OR NOT EXISTS (SELECT FROM providers_location l JOIN providers_address a ON a.location_id = l.id
                    WHERE l.organization_id = o.id)
