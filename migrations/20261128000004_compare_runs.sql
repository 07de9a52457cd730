-- Every comparison run from the lab's Compare page, with what it was asked and what
-- it measured, so runs can be listed, downloaded and set side by side.
CREATE TABLE compare_runs (
    id         INTEGER PRIMARY KEY,
    started_at TEXT    NOT NULL,  -- RFC 9110 date
    version    TEXT    NOT NULL,  -- the app's version
    parameters TEXT    NOT NULL,  -- the plan, as JSON
    status     TEXT    NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
    report     TEXT               -- the results, as JSON, once there are any
) STRICT;
