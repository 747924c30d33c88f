-- Every site of the organizations that have a site without a point (virtual, or not placed), and whether it is
-- such a one; with %(orgs)s, of these organizations only.
SELECT l.id, l.organization_id, l.name, l.alternate_name, l.point IS NULL
  FROM providers_location l
 WHERE l.organization_id IN (SELECT organization_id FROM providers_location
                              WHERE point IS NULL
                                AND (%(orgs)s::uuid[] IS NULL OR organization_id = ANY(%(orgs)s::uuid[])))
