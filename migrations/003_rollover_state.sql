-- Zone-level inputs of the rollover core: operator roll requests per key role, the TTLs last
-- published (with how long records under an earlier, larger TTL may still be cached), and the
-- request to take a zone out of DNSSEC. Key-level states already live in zone_key.

ALTER TABLE zone ADD COLUMN roll_requested jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE zone ADD COLUMN published_ttls jsonb;
ALTER TABLE zone ADD COLUMN retire boolean NOT NULL DEFAULT false;

-- Outcome of the configured DS submit/retract command, per key.
ALTER TABLE zone_key ADD COLUMN ds_hook_status text;
ALTER TABLE zone_key ADD COLUMN ds_hook_at timestamptz;
