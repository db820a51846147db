-- Initial schema: policies, zones, keys and their per-record states, DS-at-parent state,
-- signconf records, the audit log, run history and the lease that fences every write.
--
-- Fencing: every state table carries the epoch it was written under, and the trigger
-- enforcer_fence() refuses any insert, update or delete unless the transaction has declared
-- (SET LOCAL enforcer.epoch) the lease's current epoch. A stale node, or a code path that
-- forgot to check the lease, cannot land a write.

CREATE TABLE lease (
  id           smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  epoch        bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0),
  active_node  text,
  holder_node  text,
  acquired_at  timestamptz,
  renewed_at   timestamptz,
  expires_at   timestamptz
);
INSERT INTO lease (id) VALUES (1);

-- The epoch may only grow.
CREATE FUNCTION enforcer_lease_monotonic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.epoch < OLD.epoch THEN
    RAISE EXCEPTION 'lease epoch may not decrease (% -> %)', OLD.epoch, NEW.epoch USING ERRCODE = 'EF002';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER lease_monotonic BEFORE UPDATE ON lease FOR EACH ROW EXECUTE FUNCTION enforcer_lease_monotonic();

CREATE FUNCTION enforcer_fence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  declared bigint := nullif(current_setting('enforcer.epoch', true), '')::bigint;
  current_epoch bigint;
BEGIN
  -- FOR SHARE: a takeover (which updates the lease row) waits for every transaction already
  -- writing under the old epoch and lands strictly after it, even for code that bypassed the
  -- application's own lease check.
  SELECT epoch INTO current_epoch FROM lease WHERE id = 1 FOR SHARE;
  IF declared IS NULL THEN
    RAISE EXCEPTION 'unfenced write to % refused: the transaction declared no lease epoch', TG_TABLE_NAME
      USING ERRCODE = 'EF001';
  END IF;
  IF declared <> current_epoch THEN
    RAISE EXCEPTION 'stale write to % refused: epoch % is not the current lease epoch %', TG_TABLE_NAME, declared, current_epoch
      USING ERRCODE = 'EF002';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF NEW.epoch IS NOT NULL AND NEW.epoch <> current_epoch
     AND (TG_OP = 'INSERT' OR NEW.epoch IS DISTINCT FROM OLD.epoch) THEN
    RAISE EXCEPTION 'stale write to % refused: row stamped with epoch %, current lease epoch is %', TG_TABLE_NAME, NEW.epoch, current_epoch
      USING ERRCODE = 'EF002';
  END IF;
  NEW.epoch := current_epoch;
  RETURN NEW;
END $$;

CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL,
  epoch bigint
);

CREATE TABLE policy (
  name         text PRIMARY KEY,
  definition   jsonb NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  epoch        bigint
);

CREATE TABLE zone (
  name            text PRIMARY KEY,
  policy          text NOT NULL REFERENCES policy (name) ON UPDATE CASCADE,
  signconf_path   text,
  input_adapter   jsonb,
  output_adapter  jsonb,
  -- NSEC3 salt (hex) chosen by the enforcer and when it was last changed.
  nsec3_salt      text,
  salt_changed_at timestamptz,
  -- When the enforcer must next look at this zone; NULL means now.
  next_run_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  epoch           bigint
);
CREATE INDEX zone_next_run ON zone (next_run_at);

-- Key material in a keystore, known by its locator. A key is generated for a policy and role
-- into the pool, then allocated to a zone (or, with <ShareKeys/>, to every zone of the policy).
CREATE TABLE hsm_key (
  id           bigserial PRIMARY KEY,
  locator      text NOT NULL UNIQUE CHECK (locator ~ '^[0-9a-f]{32}$'),
  repository   text NOT NULL,
  policy       text NOT NULL,
  role         text NOT NULL CHECK (role IN ('KSK', 'ZSK', 'CSK')),
  algorithm    smallint NOT NULL,
  bits         integer NOT NULL,
  public_key   bytea NOT NULL,
  status       text NOT NULL DEFAULT 'unused' CHECK (status IN ('unused', 'allocated', 'deleted')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  epoch        bigint
);
CREATE INDEX hsm_key_pool ON hsm_key (policy, role, algorithm, bits, repository) WHERE status = 'unused';

-- A key as used by one zone, with the four record states of the key state model.
CREATE TABLE zone_key (
  id                 bigserial PRIMARY KEY,
  zone               text NOT NULL REFERENCES zone (name) ON DELETE CASCADE,
  hsm_key_id         bigint NOT NULL REFERENCES hsm_key (id),
  role               text NOT NULL CHECK (role IN ('KSK', 'ZSK', 'CSK')),
  flags              integer NOT NULL CHECK (flags IN (256, 257)),
  key_tag            integer NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
  goal               text NOT NULL CHECK (goal IN ('omnipresent', 'hidden')),
  ds_state           text NOT NULL CHECK (ds_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive', 'na')),
  dnskey_state       text NOT NULL CHECK (dnskey_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive', 'na')),
  rrsigdnskey_state  text NOT NULL CHECK (rrsigdnskey_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive', 'na')),
  rrsig_state        text NOT NULL CHECK (rrsig_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive', 'na')),
  ds_changed_at          timestamptz,
  dnskey_changed_at      timestamptz,
  rrsigdnskey_changed_at timestamptz,
  rrsig_changed_at       timestamptz,
  -- DS at the parent: the operator-facing workflow.
  ds_at_parent       text NOT NULL DEFAULT 'unsubmitted'
                     CHECK (ds_at_parent IN ('unsubmitted', 'submit', 'submitted', 'seen', 'retract', 'retracted')),
  ds_at_parent_changed_at timestamptz,
  introduced_at      timestamptz NOT NULL,
  active_at          timestamptz,
  retired_at         timestamptz,
  epoch              bigint,
  UNIQUE (zone, hsm_key_id)
);
CREATE INDEX zone_key_zone ON zone_key (zone);

-- The last signconf written per zone: what the file must contain and under which epoch.
CREATE TABLE signconf_record (
  zone          text PRIMARY KEY REFERENCES zone (name) ON DELETE CASCADE,
  path          text NOT NULL,
  content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  written_epoch bigint NOT NULL,
  written_by    text NOT NULL,
  written_at    timestamptz NOT NULL,
  epoch         bigint
);

-- Who changed what, when and why. Append-only by convention; fenced like everything else.
CREATE TABLE audit_log (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  node      text NOT NULL,
  actor     text NOT NULL,
  zone      text,
  key_locator text,
  event     text NOT NULL,
  detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
  epoch     bigint
);
CREATE INDEX audit_log_zone ON audit_log (zone, at);

-- One row per enforcer run: what monitoring and `status` report as the last run.
CREATE TABLE run_log (
  id          bigserial PRIMARY KEY,
  node        text NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  outcome     text NOT NULL CHECK (outcome IN ('running', 'ok', 'partial', 'failed')),
  summary     jsonb NOT NULL DEFAULT '{}'::jsonb,
  epoch       bigint
);

CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON meta FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON policy FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON zone FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON hsm_key FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON zone_key FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON signconf_record FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
CREATE TRIGGER fence BEFORE INSERT OR UPDATE OR DELETE ON run_log FOR EACH ROW EXECUTE FUNCTION enforcer_fence();
