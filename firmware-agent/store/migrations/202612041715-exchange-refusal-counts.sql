-- Exchange refusals of requests that did not authenticate (unsigned, unknown or revoked key, clock skew,
-- bad signature, replay, rate-limited, failed pairing) are aggregated: one row per client address, code and
-- minute, with the number of refusals it stands for, so a flood of unsigned requests writes (and fsyncs)
-- almost nothing (issue 13, finding 4). Refusals of an authenticated peer's content keep one row each.
ALTER TABLE net_refusals ADD COLUMN address TEXT;
ALTER TABLE net_refusals ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
