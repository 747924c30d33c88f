-- Organizations with one email address, whatever its case.
WITH shared AS (
    SELECT lower(email) AS value, array_agg(id) AS orgs FROM providers_organization WHERE email <> ''
     GROUP BY lower(email) HAVING count(*) BETWEEN 2 AND %(at_most)s
)
SELECT a, b, value FROM shared, unnest(orgs) a, unnest(orgs) b
 WHERE a < b AND (%(ids)s::uuid[] IS NULL OR a = ANY(%(ids)s::uuid[]) OR b = ANY(%(ids)s::uuid[]))
