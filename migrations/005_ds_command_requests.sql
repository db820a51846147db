-- DS submit/retract commands driven from stored state (at least once, never stale).
--
-- A key's DS request is numbered: ds_request grows by one each time ds_at_parent enters 'submit'
-- or 'retract' (src/store/keys.ts updateZoneKeys). The request's command is pending while the key
-- is still in that state and ds_command_done < ds_request; every run looks the pending ones up and
-- runs them (src/enforcer/ds-commands.ts). ds_command_started_at is set, under the run's fence,
-- just before a command is started and cleared with its outcome: left set, the attempt was
-- interrupted (crash, lost lease) and the next run starts it again. ds_hook_status / ds_hook_at
-- (migration 003) keep the last outcome as text.

ALTER TABLE zone_key ADD COLUMN ds_request integer NOT NULL DEFAULT 0 CHECK (ds_request >= 0);
-- The latest request whose command succeeded (or that the operator passed on by hand: key ds-retract).
ALTER TABLE zone_key ADD COLUMN ds_command_done integer NOT NULL DEFAULT 0 CHECK (ds_command_done >= 0);
-- Attempts started for the latest request.
ALTER TABLE zone_key ADD COLUMN ds_command_attempts integer NOT NULL DEFAULT 0 CHECK (ds_command_attempts >= 0);
-- The attempt in flight (set before the command starts, cleared with its outcome).
ALTER TABLE zone_key ADD COLUMN ds_command_started_at timestamptz;
-- When the latest request's first attempt failed or was interrupted; null while none has, and once one succeeded.
ALTER TABLE zone_key ADD COLUMN ds_command_failing_since timestamptz;

-- Requests already waiting become request 1. Their command is pending unless a retract command
-- already succeeded (a submit command's success moved the key to 'submitted' already); a failure
-- recorded by the previous version counts as the first attempt. The zone_key fence accepts
-- writes only under the lease's current epoch: the migration declares it (it runs under the
-- migration lock, in one transaction with the schema change).
SELECT set_config('enforcer.epoch', (SELECT epoch::text FROM lease WHERE id = 1), true);
UPDATE zone_key SET
  ds_request = 1,
  ds_command_done = CASE WHEN ds_at_parent = 'retract' AND ds_hook_status = 'ds-retract command: ok' THEN 1 ELSE 0 END,
  ds_command_attempts = CASE WHEN ds_hook_status LIKE 'ds-' || ds_at_parent || ' command: %' THEN 1 ELSE 0 END,
  ds_command_failing_since = CASE
    WHEN ds_hook_status LIKE 'ds-' || ds_at_parent || ' command: %' AND ds_hook_status <> 'ds-' || ds_at_parent || ' command: ok'
    THEN ds_hook_at END
 WHERE ds_at_parent IN ('submit', 'retract');

-- Every run asks for the pending requests: only keys waiting on the parent are indexed.
CREATE INDEX zone_key_ds_pending ON zone_key (zone, id) WHERE ds_at_parent IN ('submit', 'retract');
