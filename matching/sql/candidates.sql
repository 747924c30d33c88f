-- The walks alone (walk.sql), every need's k nearest eligible rows without their facts: what match.sql runs first,
-- timed on its own by bench/match_bench.py.
WITH q AS (
    SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
)
SELECT c.offer_id, q.requested, c.distance_m
FROM q
CROSS JOIN LATERAL (
{{walk}}
) c
