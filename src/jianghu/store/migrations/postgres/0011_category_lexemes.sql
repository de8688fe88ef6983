-- Categories as lexemes of the search columns ('cat:card_fraud', without positions), so
-- that a search with a category filter intersects two posting lists in the search index
-- instead of walking the category's rows (a common term in a category where it is rare
-- read the whole category). Search tokens hold only letters and digits, so no query term
-- can match one. The store writes them from now on; this backfills what is stored.
--
-- The backfill rewrites every categorised message. Updating the search indexes entry by
-- entry would cost hours on a large store (RUM took about 310 rows a second here), so
-- they are dropped first and rebuilt afterwards with their own definitions: a GIN store
-- stays GIN, a RUM store stays RUM (2,000,000 messages: about 90 s for GIN, 150 s for
-- RUM). Search is slow until the migration commits; run it in a quiet hour.
DO $$
DECLARE
    definitions TEXT[];
    definition TEXT;
BEGIN
    SELECT coalesce(array_agg(pg_get_indexdef(c.oid)), '{}') INTO definitions
    FROM pg_class c
    WHERE c.relname IN ('messages_search_uni', 'messages_search_bi')
      AND c.relkind = 'i'
      AND c.relnamespace = current_schema()::regnamespace;
    DROP INDEX IF EXISTS messages_search_uni;
    DROP INDEX IF EXISTS messages_search_bi;

    UPDATE messages m
    SET search_uni = coalesce(m.search_uni, ''::tsvector) || c.lexemes,
        search_bi = coalesce(m.search_bi, ''::tsvector) || c.lexemes
    FROM (
        SELECT message_id, array_to_tsvector(array_agg('cat:' || category)) AS lexemes
        FROM message_categories
        GROUP BY message_id
    ) c
    WHERE m.id = c.message_id;

    FOREACH definition IN ARRAY definitions LOOP
        EXECUTE definition;
    END LOOP;
END
$$;
