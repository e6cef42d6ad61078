-- The audit log is append-only: the database itself refuses edits and deletes, so a bug (or a
-- careless script using the server's own connection) cannot rewrite history. Someone with the
-- file can still drop these triggers; the hash chain is what detects that.
CREATE TRIGGER `audit_events_no_update` BEFORE UPDATE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events`
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
