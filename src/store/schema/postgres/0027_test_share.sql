-- broadcasts.test_phase, test_experiment_id, rest_arm: a broadcast that sends its experiment to a test share first
--
-- An experiment on a broadcast may hold a share of the recipients back
-- (experiments/experiment.h test_share). The broadcast then sends to the test share
-- (test_phase 'test'), waits for the experiment's decision ('waiting'), and sends the
-- rest the winning arm's email ('rest', rest_arm), each recipient once. '' is a
-- broadcast without a test share.

ALTER TABLE broadcasts ADD COLUMN test_phase TEXT NOT NULL DEFAULT '';
ALTER TABLE broadcasts ADD COLUMN test_experiment_id BIGINT;
ALTER TABLE broadcasts ADD COLUMN rest_arm BIGINT;
