-- The points of the sites where a service meeting the need (or a term below it) accepts referrals in the language,
-- each once, with their own GiST index: a language is a condition few rows of a need pass (or none), and a walk of
-- the need's index from each county would pass over all the others to reach them, thousands of times.
CREATE TEMPORARY TABLE coverage_language_points ON COMMIT DROP AS
SELECT DISTINCT mc.public_point AS point
FROM matching_matchcandidate mc
WHERE mc.need_id = ANY(%(need_ids)s::bigint[])
  AND mc.public_point IS NOT NULL
  AND mc.accepting_referrals
  AND NOT mc.is_virtual
  AND mc.languages @> ARRAY[%(language)s::varchar];
CREATE INDEX ON coverage_language_points USING gist (point);
ANALYZE coverage_language_points
