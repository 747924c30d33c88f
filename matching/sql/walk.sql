-- The k nearest eligible match index rows of one need (q.need_id): one walk of the composite
-- (need, citizenship, {{column}}) GiST index. need_id and citizenship are the index's key columns, so
-- they are index conditions; the other conditions are tested on each row the walk reaches.
-- The inner LIMIT is a constant so that the generic plan is the index walk: with only a parameter,
-- the planner assumes a tenth of the need's rows are wanted, and reading all of them through the
-- btree on need_id and sorting looked cheaper (docs/matching.md). The outer LIMIT stops the walk
-- at k rows; its ORDER BY is the walk's own order, so it adds no sort.
SELECT offer_id, distance_m{{row_out}}
FROM (SELECT mc.service_at_location_id AS offer_id,
             ST_Distance(mc.{{column}}, %(origin)s::geography) AS distance_m,
             mc.{{column}} <-> %(origin)s::geography AS nearness{{row_in}}
      FROM matching_matchcandidate mc
      WHERE mc.need_id = q.need_id
        AND mc.citizenship <> %(citizenship_excluded)s::smallint
        AND mc.{{column}} IS NOT NULL
        AND {{conditions}}
      ORDER BY nearness
      LIMIT {{max_candidates}}) walk
ORDER BY nearness
LIMIT %({{limit}})s
