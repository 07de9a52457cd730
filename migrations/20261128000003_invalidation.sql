-- What cache invalidation needs from the catalogue.

-- A version per row: an edit names the version it was made from, and a stale form
-- (the row changed since) is refused instead of overwriting.
ALTER TABLE pokemon ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Who this catalogue is: a random identity every cache key carries, so instances on
-- different databases never serve each other's pages, even from one Redis.
CREATE TABLE catalogue (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    identity TEXT    NOT NULL
) STRICT;
INSERT INTO catalogue (id, identity) VALUES (1, lower(hex(randomblob(6))));

-- A version per tag of what a page or fragment shows: `pokemon:25` (its page),
-- `name:25` (its name, on its neighbours' pages), `type:electric` (that type's lists),
-- `list:all`. Keys fold in the versions of their tags, so a bump makes exactly the
-- entries that show the change unreachable, on every backend and every instance.
CREATE TABLE tag_versions (
    tag     TEXT    PRIMARY KEY,
    version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Every write to the catalogue — the app's edits, a reset, a hand edit in sqlite3 —
-- bumps the data version (which instances watch for changes, and `version` mode
-- keys carry) and the tags of what changed, before and after.
CREATE TRIGGER pokemon_updated AFTER UPDATE ON pokemon BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    INSERT INTO tag_versions (tag, version) VALUES ('pokemon:' || NEW.pokedex_id, 1)
        ON CONFLICT (tag) DO UPDATE SET version = version + 1;
    INSERT INTO tag_versions (tag, version)
        SELECT 'name:' || NEW.pokedex_id, 1 WHERE OLD.name IS NOT NEW.name
        ON CONFLICT (tag) DO UPDATE SET version = version + 1;
    -- The lists show the name, secondary type, height, weight, HP and speed, and hold
    -- a Pokémon by its types.
    INSERT INTO tag_versions (tag, version)
        SELECT tag, 1 FROM (
            SELECT 'list:all' AS tag
            UNION SELECT 'type:' || OLD.type
            UNION SELECT 'type:' || OLD.secondary_type
            UNION SELECT 'type:' || NEW.type
            UNION SELECT 'type:' || NEW.secondary_type
        )
        WHERE tag IS NOT NULL
          AND (OLD.name IS NOT NEW.name OR OLD.type IS NOT NEW.type
               OR OLD.secondary_type IS NOT NEW.secondary_type OR OLD.height IS NOT NEW.height
               OR OLD.weight IS NOT NEW.weight OR OLD.hp IS NOT NEW.hp OR OLD.speed IS NOT NEW.speed)
        ON CONFLICT (tag) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER pokemon_inserted AFTER INSERT ON pokemon BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    INSERT INTO tag_versions (tag, version)
        SELECT tag, 1 FROM (
            SELECT 'list:all' AS tag
            UNION SELECT 'pokemon:' || NEW.pokedex_id
            UNION SELECT 'name:' || NEW.pokedex_id
            UNION SELECT 'type:' || NEW.type
            UNION SELECT 'type:' || NEW.secondary_type
        )
        WHERE tag IS NOT NULL
        ON CONFLICT (tag) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER pokemon_deleted AFTER DELETE ON pokemon BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    INSERT INTO tag_versions (tag, version)
        SELECT tag, 1 FROM (
            SELECT 'list:all' AS tag
            UNION SELECT 'pokemon:' || OLD.pokedex_id
            UNION SELECT 'name:' || OLD.pokedex_id
            UNION SELECT 'type:' || OLD.type
            UNION SELECT 'type:' || OLD.secondary_type
        )
        WHERE tag IS NOT NULL
        ON CONFLICT (tag) DO UPDATE SET version = version + 1;
END;
