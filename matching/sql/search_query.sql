SELECT u.words,
           CASE WHEN %(any_word)s::boolean THEN
               (SELECT to_tsquery('simple', COALESCE(string_agg(quote_literal(lexeme), ' | '), ''))
                FROM unnest(tsvector_to_array(to_tsvector('english', u.words) || to_tsvector('spanish', u.words)))
                     AS lexeme)
           ELSE websearch_to_tsquery('english', u.words) || websearch_to_tsquery('spanish', u.words)
                || websearch_to_tsquery('simple', u.words)
           END AS query
    FROM (SELECT lower(unaccent(%(q)s::text)) AS words) u
