-- Organizations whose websites are one site (the host without "www.", whatever the scheme and path).
WITH hosts AS (
    SELECT id, lower(substring(website FROM '^(?:[A-Za-z]+://)?(?:www\.)?([^/:?#]+)')) AS value
      FROM providers_organization WHERE website <> ''
),
shared AS (
    SELECT value, array_agg(id) AS orgs FROM hosts WHERE value IS NOT NULL GROUP BY value
    HAVING count(*) BETWEEN 2 AND %(at_most)s
)
SELECT a, b, value FROM shared, unnest(orgs) a, unnest(orgs) b
 WHERE a < b AND (%(ids)s::uuid[] IS NULL OR a = ANY(%(ids)s::uuid[]) OR b = ANY(%(ids)s::uuid[]))
