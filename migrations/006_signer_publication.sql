-- Closed-loop publication: a record change that a signconf carries to the signer (DNSKEY,
-- RRSIG-DNSKEY, zone RRSIG moving to rumoured or unretentive) counts as made only once that signconf
-- is in place and the signer was told. Until then the record is listed in zone_key.unpublished and
-- does not age; confirming the publication stamps its change time with the database clock.

ALTER TABLE zone_key ADD COLUMN unpublished text[] NOT NULL DEFAULT '{}'
  CHECK (unpublished <@ ARRAY['dnskey', 'rrsigdnskey', 'rrsig']::text[]);

-- Per zone: when the last signconf written was confirmed as published (NULL: not yet), since when a
-- publication has been waiting, how often it failed in a row and why, and what the signer's
-- notification said. Rows written before this migration were published by the old rule (in place).
ALTER TABLE signconf_record ADD COLUMN published_at timestamptz;
ALTER TABLE signconf_record ADD COLUMN pending_since timestamptz;
ALTER TABLE signconf_record ADD COLUMN publish_failures integer NOT NULL DEFAULT 0;
ALTER TABLE signconf_record ADD COLUMN publish_error text;
ALTER TABLE signconf_record ADD COLUMN notify_status text;
ALTER TABLE signconf_record ADD COLUMN notify_at timestamptz;

-- The fence trigger refuses undeclared writes: this one declares the current epoch (the migration
-- runs under the migration lock, and a writer under that epoch is not affected).
SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true);
UPDATE signconf_record SET published_at = written_at;
