-- The walk of every requested need (and sub-term) in q, with the need it was found for.
SELECT q.need_id, q.requested, c.*
FROM q, LATERAL (
{{walk}}
) c
