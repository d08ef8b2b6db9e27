-- Failed sign-in attempts per studio and normalized email, for the login back-off.
CREATE TABLE login_throttles (
    studio_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until INTEGER,
    last_failure_at INTEGER,
    PRIMARY KEY (studio_id, subject)
) STRICT;
