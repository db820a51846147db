// A test-only record of every change of the lease row (epoch, active node, holder), with the
// database clock's time: the lease history the fault suite's invariants compare files and rows
// against. Beside it, the database clock's time at which each run_log row was started and
// finished: a run stamps its row with its own clock, which a scenario may move on purpose
// (ENFORCER_CLOCK_OFFSET), while the audit log is stamped by the database; the takeover bound (I5)
// compares the two, so it needs both in one clock. Triggers on a test database only; the enforcer
// neither knows nor needs them.

import type { Queryable } from '../../src/store/db.js';

export async function installLeaseHistory(q: Queryable): Promise<void> {
  await q.exec(`
    CREATE TABLE IF NOT EXISTS fault_lease_history (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      epoch bigint NOT NULL,
      active_node text,
      holder_node text
    );
    CREATE OR REPLACE FUNCTION fault_lease_history() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.epoch IS DISTINCT FROM OLD.epoch OR NEW.holder_node IS DISTINCT FROM OLD.holder_node
         OR NEW.active_node IS DISTINCT FROM OLD.active_node THEN
        INSERT INTO fault_lease_history (epoch, active_node, holder_node) VALUES (NEW.epoch, NEW.active_node, NEW.holder_node);
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS fault_lease_history ON lease;
    CREATE TRIGGER fault_lease_history AFTER UPDATE ON lease FOR EACH ROW EXECUTE FUNCTION fault_lease_history();
    INSERT INTO fault_lease_history (epoch, active_node, holder_node) SELECT epoch, active_node, holder_node FROM lease;

    CREATE TABLE IF NOT EXISTS fault_run_clock (
      run_id bigint PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      finished_at timestamptz
    );
    CREATE OR REPLACE FUNCTION fault_run_clock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO fault_run_clock (run_id) VALUES (NEW.id);
      ELSIF NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL THEN
        UPDATE fault_run_clock SET finished_at = clock_timestamp() WHERE run_id = NEW.id;
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS fault_run_clock ON run_log;
    CREATE TRIGGER fault_run_clock AFTER INSERT OR UPDATE ON run_log FOR EACH ROW EXECUTE FUNCTION fault_run_clock();
  `);
}
