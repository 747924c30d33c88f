-- Every organization's names and the states its sites' addresses are in (none for a virtual one).
SELECT o.id, o.name, o.alternate_name,
       array_remove(array_agg(DISTINCT upper(a.state_province)), NULL) AS states
  FROM providers_organization o
  LEFT JOIN providers_location l ON l.organization_id = o.id
  LEFT JOIN providers_address a ON a.location_id = l.id
 GROUP BY o.id
