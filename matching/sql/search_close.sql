-- The names' words (matching_searchword) a query's words may have been meant as: for each typed word of three
-- letters or more, the three most similar above pg_trgm.similarity_threshold (set for the transaction), found by
-- the words' trigram index, as one tsquery of alternatives ("tahrih" -> 'tahirih'); NULL when there is none.
SELECT string_agg(DISTINCT quote_literal(close.word), ' | ')::tsquery::text
FROM regexp_split_to_table(%(words)s::text, '[^[:alnum:]]+') AS typed
CROSS JOIN LATERAL (
    SELECT w.word
    FROM matching_searchword w
    WHERE length(typed) >= 3 AND w.word %% typed
    ORDER BY similarity(w.word, typed) DESC, w.documents DESC, w.word
    LIMIT 3
) close
