-- The names' words (matching_searchword) a query's misspelt words may have been meant as: for each typed word of
-- three letters or more that is neither a word of any name nor a common word (English or Spanish), the three most
-- similar above pg_trgm.similarity_threshold (set for the transaction), found by the words' trigram index, as one
-- tsquery of alternatives ("tahrih" -> 'tahirih'); NULL when there is none. Words spelt right are left to the
-- any-word query: their look-alikes ("clinic" -> "clinics", "the" -> "them") would crowd the misspelt name out.
SELECT string_agg(DISTINCT quote_literal(close.word), ' | ')::tsquery::text
FROM regexp_split_to_table(%(words)s::text, '[^[:alnum:]]+') AS typed
CROSS JOIN LATERAL (
    SELECT w.word
    FROM matching_searchword w
    WHERE length(typed) >= 3 AND w.word %% typed
      AND NOT EXISTS (SELECT FROM matching_searchword known WHERE known.word = typed)
      AND length(to_tsvector('english', typed)) > 0 AND length(to_tsvector('spanish', typed)) > 0
    ORDER BY similarity(w.word, typed) DESC, w.documents DESC, w.word
    LIMIT 3
) close
