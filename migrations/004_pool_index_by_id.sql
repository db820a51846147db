-- Claiming a pool key asks for the oldest unused key of a slot (ORDER BY id LIMIT 1 ... SKIP
-- LOCKED). The pool index lacked id, so PostgreSQL walked the primary key from the first key ever
-- made, past every allocated one: each claim grew with the number of keys in use (6 ms at 10,000
-- zones). With id last, a claim reads the slot's first unused entries only.

DROP INDEX hsm_key_pool;
CREATE INDEX hsm_key_pool ON hsm_key (policy, role, algorithm, bits, repository, id) WHERE status = 'unused';
