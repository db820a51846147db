-- Single active enforcer: what each node last knew of its own role, so role-change hooks run
-- exactly when a node becomes active or standby.
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
