-- A run left at 'running' by a process that stopped without finishing (killed, or it lost the lease
-- mid-run) can never be finished by it: the fence refuses writes under its old epoch. The next run
-- of the active node marks such rows 'abandoned' (src/store/run-log.ts abandonDeadRuns), keeping
-- the run's own epoch and who noticed it in the row's summary.
--
-- Numbered 007: migration 006 comes from another line of work (closed-loop publication).

ALTER TABLE run_log DROP CONSTRAINT run_log_outcome_check;
ALTER TABLE run_log ADD CONSTRAINT run_log_outcome_check CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'abandoned'));

-- Every run looks for the rows still running: only those are indexed.
CREATE INDEX run_log_running ON run_log (id) WHERE outcome = 'running';
