-- Each organization's %(per_organization)s names most alike by their trigrams (pg_trgm's `%%`, with the threshold
-- the transaction sets, through the GIN index on lower(name)).
SELECT LEAST(x.id, near.id), GREATEST(x.id, near.id), NULL
  FROM providers_organization x
 CROSS JOIN LATERAL (
       SELECT y.id FROM providers_organization y
        WHERE lower(y.name) %% lower(x.name) AND y.id <> x.id
        ORDER BY similarity(lower(y.name), lower(x.name)) DESC
        LIMIT %(per_organization)s
 ) near
 WHERE %(ids)s::uuid[] IS NULL OR x.id = ANY(%(ids)s::uuid[])
