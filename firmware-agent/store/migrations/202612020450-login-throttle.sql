-- Login throttling (accounts/throttle.ts), kept in the store so that `edgebox user unlock` (another
-- process) can lift a lock and a restart does not. One row per counted key:
--   scope 'pair'    one user name from one client address (the tight limit, auth.loginMaxFailures);
--   scope 'user'    one user name from every address together (auth.loginMaxFailuresTotal);
--   scope 'address' one client address for every user name together (auth.loginMaxFailuresTotal).
-- Times are epoch milliseconds. Rows of expired locks with no failure for a day are pruned.
CREATE TABLE login_throttle (
  scope         TEXT NOT NULL CHECK (scope IN ('pair', 'user', 'address')),
  username      TEXT NOT NULL DEFAULT '',   -- lower-cased; '' for scope 'address'
  address       TEXT NOT NULL DEFAULT '',   -- '' for scope 'user'
  failures      INTEGER NOT NULL,
  locked_until  INTEGER NOT NULL DEFAULT 0,
  last_failure  INTEGER NOT NULL,
  PRIMARY KEY (scope, username, address)
);
CREATE INDEX login_throttle_address ON login_throttle(address);
