-- The points of the sites where a service meeting the need (or a term below it) accepts referrals, in the language
-- and for a person of the age when given, each once, with their own GiST index: such a condition is one few rows of a
-- need may pass (or none), and a walk of the need's index from each county would pass over all the others to reach
-- them, thousands of times. The age condition is the eligibility rule's (providers.eligibility.INDEX_CONDITIONS).
CREATE TEMPORARY TABLE coverage_variant_points ON COMMIT DROP AS
SELECT DISTINCT mc.public_point AS point
FROM matching_matchcandidate mc
WHERE mc.need_id = ANY(%(need_ids)s::bigint[])
  AND mc.public_point IS NOT NULL
  AND mc.accepting_referrals
  AND NOT mc.is_virtual
  AND (%(language)s::varchar = '' OR mc.languages @> ARRAY[%(language)s::varchar])
  AND {{age_condition}};
CREATE INDEX ON coverage_variant_points USING gist (point);
ANALYZE coverage_variant_points
