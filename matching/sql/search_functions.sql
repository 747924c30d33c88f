-- The functions keyword search and its documents share (matching.search, search_rows.sql).

-- A text as search stores and queries it: unaccented, in the english, spanish and simple configurations (stems of
-- both languages, and every word as written, "T" of "visa T" included).
CREATE OR REPLACE FUNCTION search_vector(body text) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT to_tsvector('english'::regconfig, unaccent(COALESCE(body, '')))
        || to_tsvector('spanish'::regconfig, unaccent(COALESCE(body, '')))
        || to_tsvector('simple'::regconfig, unaccent(COALESCE(body, '')))
$fn$;

-- The digest a moderator's safe mark keeps for a text (providers.disclosure.text_digest): sha256 of its UTF-8.
CREATE OR REPLACE FUNCTION search_digest(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT encode(sha256(convert_to(COALESCE(body, ''), 'UTF8')), 'hex')
$fn$;
