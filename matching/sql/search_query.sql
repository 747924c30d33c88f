-- The words of a query (unaccented, lower-cased) and two tsqueries over them: every word (websearch syntax, in the
-- english, spanish and simple configurations, any of which may match), and any word (the english and spanish
-- lexemes OR-ed, of the words common in neither language, split and counted as clean_query does: "for" is no
-- Spanish stop word, and alone it matched most of the registry, as the "s" of "women's" or the "in" of "drop-in";
-- the second pass, when no document holds every word); near a place, the cells around it (search_cells; NULL
-- without a place or past its widest radius).
SELECT u.words,
       (websearch_to_tsquery('english', u.words) || websearch_to_tsquery('spanish', u.words)
        || websearch_to_tsquery('simple', u.words))::text AS every_word,
       (SELECT to_tsquery('simple', COALESCE(string_agg(DISTINCT quote_literal(lexeme), ' | '), ''))
        FROM regexp_split_to_table(u.words, '[^[:alnum:]]+') AS word
        CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', word) || to_tsvector('spanish', word)))
             AS lexeme
        WHERE numnode(plainto_tsquery('english', word)) > 0 AND numnode(plainto_tsquery('spanish', word)) > 0
       )::text AS any_word,
       search_cells(%(origin)s::geography, %(reach)s)::text AS cells
FROM (SELECT lower(unaccent(%(q)s::text)) AS words) u
