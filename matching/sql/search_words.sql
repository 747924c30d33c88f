-- The names' words and their document counts (matching.models.SearchWord), kept by statement triggers on the search
-- documents: a refresh deletes and inserts documents (maintenance.sql), a rebuild truncates and inserts them, and
-- each statement's rows are counted once, in its transaction.
CREATE OR REPLACE FUNCTION search_words_counted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO matching_searchword (word, documents)
        SELECT word, count(*) FROM added, unnest(tsvector_to_array(added.name_words)) AS word
        GROUP BY word ORDER BY word  -- one order of row locks for every writer
        ON CONFLICT (word) DO UPDATE SET documents = matching_searchword.documents + excluded.documents;
    ELSE
        WITH gone AS (
            SELECT word, count(*) AS n FROM removed, unnest(tsvector_to_array(removed.name_words)) AS word
            GROUP BY word
        )
        UPDATE matching_searchword w SET documents = w.documents - gone.n FROM gone WHERE w.word = gone.word;
        -- Only the words just counted down (not a scan of every word per statement).
        DELETE FROM matching_searchword w
        USING (SELECT DISTINCT word FROM removed, unnest(tsvector_to_array(removed.name_words)) AS word) gone
        WHERE w.word = gone.word AND w.documents <= 0;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION search_words_emptied() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- Not TRUNCATE: the TRUNCATE that fired this may be emptying this table too, in the same statement.
    DELETE FROM matching_searchword;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE TRIGGER search_words_added AFTER INSERT ON matching_searchdocument
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION search_words_counted();
CREATE OR REPLACE TRIGGER search_words_removed AFTER DELETE ON matching_searchdocument
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION search_words_counted();
CREATE OR REPLACE TRIGGER search_words_truncated AFTER TRUNCATE ON matching_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_emptied();
