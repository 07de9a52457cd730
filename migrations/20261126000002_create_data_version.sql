-- The data version the caching strategies put in every key: a write to `pokemon`
-- bumps it, so entries stored before the write are never served after it.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO data_version (id, version) VALUES (1, 1);
