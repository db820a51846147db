// A test-only record of every change of the lease row (epoch, active node, holder), with the
// database clock's time: the lease history the fault suite's invariants compare files and rows
// against. A trigger on a test database only; the enforcer neither knows nor needs it.

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
  `);
}
