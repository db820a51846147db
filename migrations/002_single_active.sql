-- Single active enforcer: (1) what each node last knew of its own role, so role-change hooks
-- run exactly when a node becomes active or standby; (2) the fence trigger orders every write
-- strictly before or after a takeover (below).
--
-- node_state is deliberately NOT fenced by the lease epoch: the standby must record "I am standby now" without
-- holding the lease, and a row only ever describes the node that wrote it. Nothing the enforcer
-- decides about keys, zones or signconf files is read from here.

CREATE TABLE node_state (
  node        text PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('active', 'standby')),
  -- The lease epoch current when the node recorded this role.
  epoch       bigint NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  -- A role-change hook that failed and so left the transition unfinished; cleared on success.
  pending_role  text CHECK (pending_role IN ('active', 'standby')),
  hook_error    text,
  hook_failed_at timestamptz
);

-- The fence trigger also share-locks the lease row, so a takeover (which updates that row) waits
-- for every transaction that already wrote under the old epoch, and lands strictly after it.
-- Without the lock a transaction that bypassed fenced() could write, then commit after the
-- epoch moved on; with it, the database alone orders every write before or after a takeover.
CREATE OR REPLACE FUNCTION enforcer_fence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  declared bigint := nullif(current_setting('enforcer.epoch', true), '')::bigint;
  current_epoch bigint;
BEGIN
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
