-- Pairs of sites closer than %(near_m)s metres (their exact points: one building) and how far apart, with %(sites)s
-- the pairs with one of these sites (NULL: every pair). A site with more than %(at_most)s others that near is in a
-- hub (a family justice center, a ZIP code's centre where addresses had no street) and pairs with none: each site's
-- neighbours are read through the GiST index on the point, at most %(at_most)s + 1 of them, never a hub's square.
-- (NOT EXISTS, never NOT IN over a subquery: a list too large to hash is searched once per row.)
WITH asked AS (
    SELECT id, point FROM providers_location
     WHERE point IS NOT NULL AND (%(sites)s::uuid[] IS NULL OR id = ANY(%(sites)s::uuid[]))
), near AS (
    SELECT a.id AS a, n.id AS b, n.metres
      FROM asked a
     CROSS JOIN LATERAL (SELECT l.id, ST_Distance(l.point, a.point) AS metres FROM providers_location l
                          WHERE l.id <> a.id AND ST_DWithin(l.point, a.point, %(near_m)s)
                          LIMIT %(at_most)s + 1) n
), crowded AS (
    SELECT a AS id FROM near GROUP BY a HAVING count(*) > %(at_most)s
     UNION ALL
    -- The neighbours outside the asked sites (a run for some organizations), counted the same way.
    SELECT o.id FROM providers_location o
     WHERE o.id IN (SELECT b FROM near) AND NOT EXISTS (SELECT FROM asked WHERE asked.id = o.id)
       AND (SELECT count(*) FROM (SELECT FROM providers_location l
                                   WHERE l.id <> o.id AND ST_DWithin(l.point, o.point, %(near_m)s)
                                   LIMIT %(at_most)s + 1) c) > %(at_most)s
)
SELECT DISTINCT LEAST(a, b), GREATEST(a, b), round(metres::numeric, 1)::float
  FROM near
 WHERE NOT EXISTS (SELECT FROM crowded WHERE crowded.id IN (near.a, near.b))
